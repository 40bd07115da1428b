"""Local stand-ins for the assistant's model providers, speaking each one's documented wire format.

Each keeps a queue of scripted answers (what "the model" says next) and a log of what it was sent, so a
test asserts the prompt (voice, recent posts, limits, the reasons a variant was refused) and scripts
the model's replies, refusals and errors."""
