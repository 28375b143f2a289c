#!/bin/sh
# Baseline for the benchmark (issue 8, section 4b): what collectd's exec
# plugin would run with the AWS CLI to do secretwatch's work per cycle
# (GetMetricData for every secret, DescribeAlarms for their alarms, the
# LookupEvents pages of the last 15 minutes) and print PUTVAL lines.
# Usage: baseline_awscli.sh CYCLES (1..1000), with SW_BENCH_ENDPOINT,
# SW_BENCH_SECRETS (a count: secrets bench/s0000...), AWS_CA_BUNDLE and the
# credentials in the environment. In collectd it would loop forever with
# `sleep $COLLECTD_INTERVAL` instead of counting cycles.
set -eu
cycles=${1:-1}
case $cycles in '' | *[!0-9]*) echo "usage: $0 CYCLES" >&2; exit 2 ;; esac
if [ "$cycles" -lt 1 ] || [ "$cycles" -gt 1000 ]; then
  echo "CYCLES: 1..1000" >&2
  exit 2
fi
ep=$SW_BENCH_ENDPOINT
n=${SW_BENCH_SECRETS:-10}
host=${COLLECTD_HOSTNAME:-benchhost}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The metric queries and alarm names, once.
i=0
printf '[' >"$tmp/queries.json"
names=""
while [ "$i" -lt "$n" ]; do
  s=$(printf 's%04d' "$i")
  [ "$i" -gt 0 ] && printf ',' >>"$tmp/queries.json"
  printf '{"Id":"m%d","MetricStat":{"Metric":{"Namespace":"SecretWatch","MetricName":"%s-reads"},"Period":60,"Stat":"Sum"}}' \
    "$i" "$s" >>"$tmp/queries.json"
  names="$names secretwatch-$s-read"
  i=$((i + 1))
done
printf ']' >>"$tmp/queries.json"
c=0
while [ "$c" -lt "$cycles" ]; do
  end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  start=$(date -u -d '15 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
  now=$(date +%s)
  aws --endpoint-url "$ep" cloudwatch get-metric-data \
    --metric-data-queries "file://$tmp/queries.json" \
    --start-time "$start" --end-time "$end" \
    --query 'MetricDataResults[].[Id,sum(Values)]' --output text >"$tmp/m"
  # shellcheck disable=SC2086 # one name per word
  aws --endpoint-url "$ep" cloudwatch describe-alarms --alarm-names $names \
    --query 'MetricAlarms[].[AlarmName,StateValue]' --output text >"$tmp/a"
  aws --endpoint-url "$ep" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventName,AttributeValue=GetSecretValue \
    --start-time "$start" --end-time "$end" --page-size 50 \
    --query 'length(Events)' --output text >"$tmp/e"
  while read -r id v; do
    [ "$v" = None ] && v=0
    echo "PUTVAL \"$host/awscli_secrets-$id/gauge-reads\" $now:$v"
  done <"$tmp/m"
  echo "PUTVAL \"$host/awscli_secrets/gauge-records\" $now:$(cat "$tmp/e")"
  c=$((c + 1))
done
