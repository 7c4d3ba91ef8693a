# Shared helpers of the bad-input suites (bad_input_*_test.sh): a refused command must exit 2, print nothing on
# stdout, name the argument (and the allowed range) in one stderr line, and leave every file as it was. Source
# after assertions.bash; $work is the directory the cases write in.
work="$scratch/work"
mkdir -p "$work"

# $device: a character device to give as an output target. As root, a private null device made in $work: a broken
# ropelab run as root would replace the node it is given (the very bug these suites guard against; /dev/null once
# became a regular file that way), so /dev/null itself is never given. Without root, /dev/null (its directory is not
# writable, so it cannot be replaced). Empty when root cannot make device nodes: the device cases are skipped.
device=
if [[ $(id -u) != 0 ]]; then
  device=/dev/null
elif mknod "$work/device" c 1 3 2>/dev/null; then
  device="$work/device"
else
  echo "note: no mknod here; the character-device output cases are skipped" >&2
fi

# Every command runs under a time limit: a hang (a FIFO input once blocked forever) becomes exit 124 and fails
# the exit-code check instead of stalling the suite.
limit=${BAD_INPUT_TIME_LIMIT:-60}
real_ropelab=$ropelab
ropelab="$scratch/ropelab-limited"
printf '#!/usr/bin/env bash\nexec timeout %q %q "$@"\n' "$limit" "$real_ropelab" >"$ropelab"
chmod +x "$ropelab"

# state: every entry under $work with its type, mode, link target and content checksum (what "untouched" means;
# a run's ropelab.lock only records the pid of the last process that locked its directory).
state() {
  (cd "$work" && find . -mindepth 1 -printf '%y %m %p -> %l\n' | sort &&
    find . -type f ! -name ropelab.lock -exec md5sum {} + | sort -k 2)
}

# expect_refused NAME NEEDLE... -- ARGS...: a usage error (exit 2, one stderr line holding every NEEDLE, nothing on
# stdout) that changed nothing under $work: no file created, replaced, removed or left behind.
expect_refused() {
  local before
  before=$(state)
  expect_usage_error "$@"
  expect_equal "$1: $work untouched" "$(state)" "$before"
}

# A dead process id: what a SIGKILLed writer leaves in its temporaries' names.
dead_pid() {
  sleep 0 &
  local pid=$!
  wait "$pid"
  echo "$pid"
}
