"""The request -> prompt/images mapping, checked as pure functions."""
import pytest

from serve.errors import ApiError
from serve.prompt import map_messages
from serve.text_stream import StopCutter, cut_text


def img(name):
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{name}"}}


def text(t):
    return {"type": "text", "text": t}


def urls(mapped):
    return [r.url.rsplit(",", 1)[1] for r in mapped.images]


def test_one_image_with_the_clients_own_label():
    m = map_messages([{"role": "user", "content": [text("The image:"), img("A"), text("Is it blurry?")]}])
    assert m.prompt == "USER: The image: <|image|>Is it blurry? ASSISTANT:"
    assert urls(m) == ["A"]


def test_one_image_without_label_gets_the_image_label():
    m = map_messages([{"role": "user", "content": [img("A"), text("Is it blurry?")]}])
    assert m.prompt == "USER: The image: <|image|>Is it blurry? ASSISTANT:"


def test_two_images_interleaved_keep_order_and_ordinals():
    m = map_messages([{"role": "user", "content": [
        text("The first image:"), img("A"), text("The second image:"), img("B"),
        text("Which image has better quality, and why?")]}])
    assert m.prompt == ("USER: The first image: <|image|>\nThe second image: <|image|>"
                        "Which image has better quality, and why? ASSISTANT:")
    assert urls(m) == ["A", "B"]


def test_four_images_without_labels_get_generated_ordinals():
    m = map_messages([{"role": "user", "content": [img("A"), img("B"), img("C"), img("D"), text("Rank them.")]}])
    assert m.prompt == ("USER: The first image: <|image|>\nThe second image: <|image|>\n"
                        "The third image: <|image|>\nThe fourth image: <|image|>Rank them. ASSISTANT:")
    assert urls(m) == ["A", "B", "C", "D"]


def test_request_ordinals_are_kept_verbatim_even_when_unusual():
    # "The input image:" is the request's own; a lone image labelled "The first image:" stays so.
    m = map_messages([{"role": "user", "content": [text("the input image: "), img("A"), text(" Rate it. ")]}])
    assert m.prompt == "USER: The input image: <|image|>Rate it. ASSISTANT:"
    m = map_messages([{"role": "user", "content": [text("The first image:"), img("A"), text("Rate it.")]}])
    assert m.prompt == "USER: The first image: <|image|>Rate it. ASSISTANT:"


def test_text_before_a_label_stays_in_front_of_it():
    m = map_messages([{"role": "user", "content": [
        text("Two photos of a bridge. The first image:"), img("A"), text("The second image:"), img("B"),
        text("Which is sharper?")]}])
    assert m.prompt == ("USER: Two photos of a bridge. The first image: <|image|>\nThe second image: <|image|>"
                        "Which is sharper? ASSISTANT:")


def test_earlier_turns_are_rendered_with_end_of_turn():
    m = map_messages([
        {"role": "user", "content": [text("The first image:"), img("A"), text("The second image:"), img("B"),
                                     text("Which is better?")]},
        {"role": "assistant", "content": "The second image."},
        {"role": "user", "content": "Why?"},
    ])
    assert m.prompt == ("USER: The first image: <|image|>\nThe second image: <|image|>Which is better? "
                        "ASSISTANT:The second image.</s>USER:Why? ASSISTANT:")
    assert urls(m) == ["A", "B"]


def test_images_in_a_later_turn_follow_the_earlier_ones():
    m = map_messages([
        {"role": "user", "content": [img("A"), text("Good?")]},
        {"role": "assistant", "content": [text("Yes.")]},
        {"role": "user", "content": [img("B"), text("And this one?")]},
    ])
    assert m.prompt == ("USER: The image: <|image|>Good? ASSISTANT:Yes.</s>"
                        "USER:The image: <|image|>And this one? ASSISTANT:")
    assert urls(m) == ["A", "B"]


def test_system_text_goes_first():
    m = map_messages([{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": [img("A"), text("Blurry?")]}])
    assert m.prompt == "Be brief. USER: The image: <|image|>Blurry? ASSISTANT:"


@pytest.mark.parametrize("messages, param", [
    ([], "messages"),
    ([{"role": "assistant", "content": "hi"}], "messages[0].role"),
    ([{"role": "user", "content": [{"type": "audio", "x": 1}]}], "messages[0].content[0].type"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}], "messages[0].content[0].image_url"),
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "messages"),
    ([{"role": "tool", "content": "a"}], "messages[0].role"),
])
def test_malformed_messages_are_400_with_the_field(messages, param):
    with pytest.raises(ApiError) as e:
        map_messages(messages)
    assert e.value.status == 400
    assert e.value.param == param


def test_stop_cutter_never_releases_a_stop_sequence_split_over_deltas():
    c = StopCutter(["###"])
    out = [c.feed(d) for d in [" The first", " image #", "#", "# ignored", " more"]]
    assert "".join(out) + c.finish() == "The first image"
    assert c.stopped
    assert cut_text("  Sharper.  ", []) == ("Sharper.", False)
    assert cut_text("A. USER: B", ["USER:"]) == ("A.", True)
