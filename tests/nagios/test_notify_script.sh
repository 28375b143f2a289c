#!/bin/sh
# ok() and bad() always succeed, so "A && ok || bad" is an if-then-else.
# shellcheck disable=SC2015
# contrib/nagios/secretwatch-nagios-notify on hostile notifications (exec
# plugin format): exactly one PROCESS_SERVICE_CHECK_RESULT line each, no
# control character, ';' kept out of the names, severities mapped, a missing
# command file and a FIFO without a reader fail in bounded time.
# Exit 0 pass, 1 fail.
set -u
src=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
script="$src/contrib/nagios/secretwatch-nagios-notify"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

notify() { # severity host pinst tinst message
    printf 'Severity: %s\nTime: 1795773632.5\nHost: %s\nPlugin: secretwatch\nPluginInstance: %s\nType: secret_access\nTypeInstance: %s\nuser_agent: x\n\n%s\n' \
        "$1" "$2" "$3" "$4" "$5"
}

out="$work/cmd"
: > "$out"
nl='
'
cr=$(printf '\r')
notify FAILURE aws-prod TopSecretInfo GetSecretValue \
    "read by a${nl}[1234567890] DISABLE_NOTIFICATIONS${cr}$(printf '\007\033') x" |
    "$script" "$out" || bad "exit status of a normal write"
notify WARNING "aws;prod${nl}[1] X" "Top;Secret" "Get${cr}Secret" "m2" |
    "$script" "$out" || bad "exit status of a hostile header"
notify OKAY aws-prod TopSecretInfo GetSecretValue "" | "$script" "$out"
notify WEIRD aws-prod '' GetSecretValue "m4" | "$script" "$out"
big=$(head -c 100000 /dev/zero | tr '\000' 'A')
notify FAILURE aws-prod TopSecretInfo GetSecretValue "$big" | "$script" "$out"

lines=$(wc -l < "$out")
[ "$lines" -eq 5 ] && ok "five notifications, five lines" ||
    bad "five notifications gave $lines lines: $(cat -A "$out")"
if LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$out" > /dev/null; then
    bad "control characters in the output: $(cat -A "$out")"
else
    ok "no control characters"
fi
if LC_ALL=C grep -v -E '^\[[0-9]+\] PROCESS_SERVICE_CHECK_RESULT;[^;]*;[^;]*;[0-3];' "$out"; then
    bad "a line that is not a well-formed result"
else
    ok "every line a well-formed PROCESS_SERVICE_CHECK_RESULT"
fi
l1=$(sed -n 1p "$out")
[ "$l1" = "[1795773632] PROCESS_SERVICE_CHECK_RESULT;aws-prod;secretwatch-TopSecretInfo/secret_access-GetSecretValue;2;read by a?[1234567890] DISABLE_NOTIFICATIONS??? x" ] &&
    ok "FAILURE -> 2, controls -> '?'" || bad "line 1: $l1"
l2=$(sed -n 2p "$out")
[ "$l2" = "[1795773632] PROCESS_SERVICE_CHECK_RESULT;aws_prod;secretwatch-Top_Secret/secret_access-Get?Secret;1;m2" ] &&
    ok "WARNING -> 1, ';' in names -> '_', a header cut at its newline" || bad "line 2: $l2"
sed -n 3p "$out" | grep -q ';0;$' && ok "OKAY -> 0" || bad "line 3: $(sed -n 3p "$out")"
sed -n 4p "$out" | grep -q ';secretwatch/secret_access-GetSecretValue;3;m4$' &&
    ok "unknown severity -> 3, no plugin instance" || bad "line 4: $(sed -n 4p "$out")"
len=$(sed -n 5p "$out" | wc -c)
[ "$len" -lt 4096 ] && ok "a 100 kB message is cut below PIPE_BUF ($len bytes)" ||
    bad "line 5 has $len bytes"

notify FAILURE h p t m | "$script" "$work/absent" 2> /dev/null
[ $? -eq 1 ] && ok "no command file: exit 1" || bad "no command file"
mkfifo "$work/fifo"
start=$(date +%s)
notify FAILURE h p t m | SECRETWATCH_NAGIOS_TIMEOUT=2 "$script" "$work/fifo"
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 2 ] && [ $took -le 5 ] && ok "FIFO without a reader: exit 2 after ${took}s" ||
    bad "FIFO without a reader: rc $rc after ${took}s"

[ $fails -eq 0 ] && echo "all checks passed"
[ $fails -eq 0 ]
