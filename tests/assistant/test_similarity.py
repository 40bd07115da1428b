from assistant.similarity import closest, containment, words


def test_words_are_normalised_without_links_or_punctuation():
    assert words("Launch!! Our NEW café — https://x.example/a?b=1 #Spring") == ["launch", "our", "new", "café", "spring"]


def test_a_copy_with_a_sentence_added_is_still_a_repeat():
    old = "We opened a second bakery in Leeds this morning, come and say hello"
    new = "Big news! We opened a second bakery in Leeds this morning, come and say hello"
    assert containment(new, old) >= 0.8


def test_a_fresh_text_shares_no_phrases():
    assert containment("Sourdough classes start in March, book a seat", "We opened a second bakery in Leeds") == 0.0


def test_case_and_punctuation_do_not_hide_a_repeat():
    assert containment("WE OPENED, a second bakery!", "we opened a second bakery") == 1.0


def test_closest_names_the_post_repeated_most():
    earlier = [(1, "Spring menu is here with rhubarb tarts"), (2, "Our spring menu is here with rhubarb tarts and lemon buns")]
    best = closest("Our spring menu is here with lemon buns", earlier)
    assert best.post_id == 2 and 0 < best.similarity < 1
    assert closest("anything", []) is None
