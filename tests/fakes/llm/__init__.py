"""Local stand-ins for the assistant's model providers, speaking each one's documented wire format.

Each keeps a queue of scripted answers (what "the model" says next) and a log of what it was sent, so a
test asserts the prompt (voice, recent posts, limits, the reasons a variant was refused) and scripts
the model's replies, refusals and errors."""

import time


def next_step(fake, default):
    """The fake's next scripted step (`default` when none). A ("slow", seconds, answer) step waits that
    long without holding the fake's lock, then gives its own answer: it never takes a later step from
    the script, which by then may belong to the next test (the client gave up long before)."""
    step = fake.script.popleft() if fake.script else default
    if step[0] == "slow":
        fake.lock.release()
        try:
            time.sleep(step[1])
        finally:
            fake.lock.acquire()
        step = step[2] if len(step) > 2 and step[2] is not None else default
    return step
