"""AWS service errors raised by simulator handlers.

A handler raises AwsError; the server renders it in the protocol of the
service that was called (JSON __type, query <ErrorResponse>, S3 <Error>)."""


class AwsError(Exception):
    """An error AWS would answer.

    code: the AWS error code ("ResourceNotFoundException", "NoSuchBucket").
    message: the human message AWS sends.
    status: HTTP status (400 for most client errors).
    sender: True for client faults (query <Type>Sender</Type>), False for
        server faults (<Type>Receiver</Type>).
    headers: optional extra response headers.
    extra: optional extra fields rendered into the error body
        (e.g. S3 {"BucketName": "x"}).
    """

    def __init__(self, code, message, status=400, sender=True, headers=None, extra=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def validation(message):
    """A JSON-protocol ValidationException (HTTP 400)."""
    return AwsError("ValidationException", message, 400)


def access_denied(ctx, action, resource, protocol_code="AccessDeniedException"):
    """The AccessDenied answer AWS gives a principal without permission."""
    return AwsError(
        protocol_code,
        "User: %s is not authorized to perform: %s on resource: %s because no "
        "identity-based policy allows the %s action" % (ctx.principal_arn, action, resource, action),
        400 if protocol_code == "AccessDeniedException" else 403,
    )
