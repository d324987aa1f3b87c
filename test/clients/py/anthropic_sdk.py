"""The official anthropic SDK against every route, at its defaults (only base_url and api_key)."""
import anthropic
from pydantic import BaseModel

from matrix import BASE, HELLO, cell, expect, model, run, weather

client = anthropic.Anthropic(base_url=BASE, api_key="anything")
TOOLS = [{"name": "get_weather", "description": "The weather in a city", "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}]


class Answer(BaseModel):
    ok: bool


def usage(u):
    """(input, output) as a user totals them: Anthropic's input_tokens leaves out cache reads and writes."""
    return ((u.input_tokens or 0) + (u.cache_read_input_tokens or 0) + (u.cache_creation_input_tokens or 0), u.output_tokens)


def text_of(m):
    return "".join(b.text for b in m.content if b.type == "text")


@cell("create")
def create(route):
    m = client.messages.create(model=model(route, "chat"), max_tokens=100, messages=[{"role": "user", "content": "Say hello"}])
    expect(text_of(m), HELLO[route], "text")
    expect(usage(m.usage), (11, 7), "usage")


@cell("stream")
def stream(route):
    with client.messages.stream(model=model(route, "chat"), max_tokens=100, messages=[{"role": "user", "content": "Say hello"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    expect(text, HELLO[route], "text")
    expect(usage(final.usage), (11, 7), "usage")


@cell("tools")
def tools(route):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    m = client.messages.create(model=model(route, "tool"), max_tokens=100, messages=messages, tools=TOOLS)
    uses = [b for b in m.content if b.type == "tool_use"]
    expect([(u.name, u.input) for u in uses], [("get_weather", {"location": "Paris"})], "tool calls")
    expect(m.stop_reason, "tool_use", "stop_reason")
    messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]})
    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": u.id, "content": weather(**u.input)} for u in uses]})
    m2 = client.messages.create(model=model(route, "tool"), max_tokens=100, messages=messages, tools=TOOLS)
    if "Sunny in Paris" not in text_of(m2):
        raise AssertionError(f"final text: {text_of(m2)!r}")


@cell("count_tokens")
def count_tokens(route):
    r = client.messages.count_tokens(model=model(route, "chat"), messages=[{"role": "user", "content": "Count the tokens of this sentence, please."}])
    if not (0 < r.input_tokens < 100):
        raise AssertionError(f"input_tokens {r.input_tokens}")


@cell("parse")
def parse(route):
    m = client.messages.parse(model=model(route, "json"), max_tokens=100, messages=[{"role": "user", "content": "Is it ok?"}], output_format=Answer)
    expect(m.parsed_output, Answer(ok=True), "parsed_output")


run()
