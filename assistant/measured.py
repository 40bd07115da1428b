"""The account's own measured hashtag lift (analytics), for the assistant's hashtag suggestions."""


def measured_hashtags(*, account, content):
    return []
