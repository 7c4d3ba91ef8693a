"""Runs a command with its stderr on a pseudo-terminal (stdin and stdout on /dev/null) and prints what it wrote there.
Unlike script(1), it does not depend on the caller's stdin (script ends the session when its stdin is at EOF, as under
a CI runner or nohup). Usage: stderr_on_pty.py COMMAND [ARG ...]"""
import os
import subprocess
import sys

master, slave = os.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
chunks = []
while True:
    try:
        data = os.read(master, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    chunks.append(data)
child.wait()
sys.stdout.buffer.write(b"".join(chunks))
