"""litellm used as a client SDK: `openai/<model>` with api_base pointing at Tollgate, its defaults."""
import json

import litellm
from pydantic import BaseModel

from matrix import BASE, HELLO, cell, expect, model, run, weather

API = {"api_base": BASE + "/v1", "api_key": "anything"}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]


class Answer(BaseModel):
    ok: bool


def m(route, behaviour):
    return "openai/" + model(route, behaviour)


@cell("completion")
def completion(route):
    r = litellm.completion(model=m(route, "chat"), messages=[{"role": "user", "content": "Say hello"}], **API)
    expect(r.choices[0].message.content, HELLO[route], "text")
    expect((r.usage.prompt_tokens, r.usage.completion_tokens), (11, 7), "usage")


@cell("stream")
def stream(route):
    chunks = list(litellm.completion(model=m(route, "chat"), messages=[{"role": "user", "content": "Say hello"}], stream=True, stream_options={"include_usage": True}, **API))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    expect(text, HELLO[route], "text")
    built = litellm.stream_chunk_builder(chunks)
    expect((built.usage.prompt_tokens, built.usage.completion_tokens), (11, 7), "usage")


@cell("tools")
def tools(route):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    r = litellm.completion(model=m(route, "tool"), messages=messages, tools=TOOLS, **API)
    calls = r.choices[0].message.tool_calls or []
    expect([(c.function.name, json.loads(c.function.arguments)) for c in calls], [("get_weather", {"location": "Paris"})], "tool calls")
    messages.append(r.choices[0].message.model_dump())
    for c in calls:
        messages.append({"role": "tool", "tool_call_id": c.id, "content": weather(**json.loads(c.function.arguments))})
    r2 = litellm.completion(model=m(route, "tool"), messages=messages, tools=TOOLS, **API)
    if "Sunny in Paris" not in (r2.choices[0].message.content or ""):
        raise AssertionError(f"final text: {r2.choices[0].message.content!r}")


@cell("response_format")
def response_format(route):
    r = litellm.completion(model=m(route, "json"), messages=[{"role": "user", "content": "Is it ok?"}], response_format=Answer, **API)
    expect(Answer.model_validate_json(r.choices[0].message.content), Answer(ok=True), "parsed")


@cell("embeddings")
def embeddings(route):
    r = litellm.embedding(model=m(route, "embed"), input=["first text", "second text"], **API)
    expect(len(r.data), 2, "vectors")


run()
