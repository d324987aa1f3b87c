"""The official openai SDK against every route, at its defaults (only base_url and api_key)."""
import asyncio
import json

import openai
from pydantic import BaseModel

from matrix import BASE, HELLO, cell, expect, model, run, weather

client = openai.OpenAI(base_url=BASE + "/v1", api_key="anything")
aclient = openai.AsyncOpenAI(base_url=BASE + "/v1", api_key="anything")
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]


class Answer(BaseModel):
    ok: bool


@cell("sync")
def sync(route):
    r = client.chat.completions.create(model=model(route, "chat"), messages=[{"role": "user", "content": "Say hello"}])
    expect(r.choices[0].message.content, HELLO[route], "text")
    expect((r.usage.prompt_tokens, r.usage.completion_tokens), (11, 7), "usage")


@cell("async")
def async_(route):
    async def go():
        return await aclient.chat.completions.create(model=model(route, "chat"), messages=[{"role": "user", "content": "Say hello"}])

    r = asyncio.run(go())
    expect(r.choices[0].message.content, HELLO[route], "text")
    expect(r.usage.completion_tokens, 7, "usage")


@cell("stream")
def stream(route):
    text, usage = "", None
    for chunk in client.chat.completions.create(model=model(route, "chat"), stream=True, stream_options={"include_usage": True}, messages=[{"role": "user", "content": "Say hello"}]):
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
    expect(text, HELLO[route], "text")
    expect(usage, (11, 7), "usage")


@cell("parse")
def parse(route):
    r = client.chat.completions.parse(model=model(route, "json"), messages=[{"role": "user", "content": "Is it ok?"}], response_format=Answer)
    expect(r.choices[0].message.parsed, Answer(ok=True), "parsed")


@cell("tools")
def tools(route):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    r = client.chat.completions.create(model=model(route, "tool"), messages=messages, tools=TOOLS)
    calls = r.choices[0].message.tool_calls or []
    expect([(c.function.name, json.loads(c.function.arguments)) for c in calls], [("get_weather", {"location": "Paris"})], "tool calls")
    messages.append(r.choices[0].message.model_dump(exclude_none=True))
    for c in calls:
        messages.append({"role": "tool", "tool_call_id": c.id, "content": weather(**json.loads(c.function.arguments))})
    r2 = client.chat.completions.create(model=model(route, "tool"), messages=messages, tools=TOOLS)
    if "Sunny in Paris" not in (r2.choices[0].message.content or ""):
        raise AssertionError(f"final text: {r2.choices[0].message.content!r}")


@cell("embeddings")
def embeddings(route):
    r = client.embeddings.create(model=model(route, "embed"), input=["first text", "second text"])
    expect(len(r.data), 2, "vectors")
    if not r.data[0].embedding or r.data[0].embedding == r.data[1].embedding:
        raise AssertionError("vectors empty or equal")
    if r.usage.prompt_tokens <= 0:
        raise AssertionError(f"usage {r.usage}")


RESPONSES_TOOLS = [{"type": "function", "name": "get_weather", "description": "The weather in a city", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"], "additionalProperties": False}, "strict": True}]


@cell("responses.create")
def responses_create(route):
    r = client.responses.create(model=model(route, "chat"), input="Say hello")
    expect(r.output_text, HELLO[route], "text")
    expect((r.usage.input_tokens, r.usage.output_tokens), (11, 7), "usage")


@cell("responses.stream")
def responses_stream(route):
    text = ""
    with client.responses.stream(model=model(route, "chat"), input="Say hello") as s:
        for event in s:
            if event.type == "response.output_text.delta":
                text += event.delta
        final = s.get_final_response()
    expect(text, HELLO[route], "text")
    expect(final.usage.output_tokens, 7, "usage")


@cell("responses.parse")
def responses_parse(route):
    r = client.responses.parse(model=model(route, "json"), input="Is it ok?", text_format=Answer)
    expect(r.output_parsed, Answer(ok=True), "parsed")


@cell("responses tools + previous_response_id")
def responses_tools(route):
    r = client.responses.create(model=model(route, "tool"), input="What is the weather in Paris?", tools=RESPONSES_TOOLS)
    calls = [o for o in r.output if o.type == "function_call"]
    expect([(c.name, json.loads(c.arguments)) for c in calls], [("get_weather", {"location": "Paris"})], "tool calls")
    outputs = [{"type": "function_call_output", "call_id": c.call_id, "output": weather(**json.loads(c.arguments))} for c in calls]
    r2 = client.responses.create(model=model(route, "tool"), previous_response_id=r.id, input=outputs, tools=RESPONSES_TOOLS)
    if "Sunny in Paris" not in r2.output_text:
        raise AssertionError(f"final text: {r2.output_text!r}")


run()
