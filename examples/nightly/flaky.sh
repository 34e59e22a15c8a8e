#!/bin/sh
# A flaky extract: the first attempt of each run fails (as a source that
# times out now and then would), the retry succeeds and publishes task
# values for downstream tasks through the file $SLUICE_TASK_VALUES.
day="$1"
echo "extracting $day (attempt ${SLUICE_ATTEMPT:-1} of run ${SLUICE_RUN_ID:-?})"
if [ "${SLUICE_ATTEMPT:-1}" = "1" ]; then
  echo "source not ready yet: connection reset" >&2
  exit 3
fi
echo "extracted 1234 rows"
{
  echo "rows=1234"
  echo 'source="crm"'
} >> "$SLUICE_TASK_VALUES"
