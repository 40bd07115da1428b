"""Local stand-ins for the assistant's model providers, speaking each one's documented wire format.

Each keeps a queue of scripted answers (what "the model" says next) and a log of what it was sent, so a
test asserts the prompt (voice, recent posts, limits, the reasons a variant was refused) and scripts
the model's replies, refusals and errors."""

import time


def next_step(fake, default):
    """The fake's next scripted step (`default` when none): a ("slow", seconds) step waits that long
    without holding the fake's lock, then the step after it is the answer."""
    step = fake.script.popleft() if fake.script else default
    if step[0] == "slow":
        fake.lock.release()
        try:
            time.sleep(step[1])
        finally:
            fake.lock.acquire()
        step = fake.script.popleft() if fake.script else default
    return step
