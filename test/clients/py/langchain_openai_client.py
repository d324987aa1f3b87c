"""langchain-openai against every route, at its defaults (only model, base_url and api_key)."""
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel

from matrix import BASE, HELLO, cell, expect, model, run


class Answer(BaseModel):
    ok: bool


@tool
def get_weather(location: str) -> str:
    """The weather in a city."""
    return f"Sunny in {location}"


def chat(route, behaviour):
    return ChatOpenAI(model=model(route, behaviour), base_url=BASE + "/v1", api_key="anything")


def usage(m):
    u = m.usage_metadata or {}
    return (u.get("input_tokens"), u.get("output_tokens"))


@cell("invoke")
def invoke(route):
    r = chat(route, "chat").invoke("Say hello")
    expect(r.content, HELLO[route], "text")
    expect(usage(r), (11, 7), "usage_metadata")


@cell("stream")
def stream(route):
    total = None
    for chunk in chat(route, "chat").stream("Say hello"):
        total = chunk if total is None else total + chunk
    expect(total.content, HELLO[route], "text")
    # With a base_url of its own ChatOpenAI does not ask for stream usage unless stream_usage=True.


def tool_round_trip(llm):
    """Asks for the weather, runs the tool the model calls, and checks the answer quotes it."""
    m = llm.bind_tools([get_weather])
    messages = [HumanMessage("What is the weather in Paris?")]
    first = m.invoke(messages)
    expect([(c["name"], c["args"]) for c in first.tool_calls], [("get_weather", {"location": "Paris"})], "tool calls")
    messages.append(first)
    for c in first.tool_calls:
        messages.append(ToolMessage(get_weather.invoke(c["args"]), tool_call_id=c["id"]))
    second = m.invoke(messages)
    if "Sunny in Paris" not in text_of(second):
        raise AssertionError(f"final text: {text_of(second)!r}")


def text_of(m):
    return m.text() if callable(m.text) else m.text


@cell("bind_tools round trip")
def bind_tools(route):
    tool_round_trip(chat(route, "tool"))


for method in ["function_calling", "json_schema", "json_mode"]:

    def structured(route, method=method):
        r = chat(route, "json").with_structured_output(Answer, method=method).invoke("Is it ok? Answer in JSON.")
        expect(r, Answer(ok=True), "parsed")

    cell(f"with_structured_output {method}")(structured)


def responses_chat(route, behaviour):
    return ChatOpenAI(model=model(route, behaviour), base_url=BASE + "/v1", api_key="anything", use_responses_api=True)


@cell("responses api invoke")
def responses_invoke(route):
    r = responses_chat(route, "chat").invoke("Say hello")
    expect(text_of(r), HELLO[route], "text")
    expect(usage(r), (11, 7), "usage_metadata")
    if not str(r.response_metadata.get("id", "")).startswith("resp_"):
        raise AssertionError(f"not a Responses API answer: {r.response_metadata!r}")


@cell("responses api stream")
def responses_stream(route):
    total = None
    for chunk in responses_chat(route, "chat").stream("Say hello"):
        total = chunk if total is None else total + chunk
    expect(text_of(total), HELLO[route], "text")
    expect(usage(total), (11, 7), "usage_metadata")


@cell("responses api bind_tools round trip")
def responses_tools(route):
    tool_round_trip(responses_chat(route, "tool"))


@cell("embeddings")
def embeddings(route):
    e = OpenAIEmbeddings(model=model(route, "embed"), base_url=BASE + "/v1", api_key="anything")
    docs = e.embed_documents(["first text", "second text"])
    expect(len(docs), 2, "vectors")
    if not docs[0] or docs[0] == docs[1]:
        raise AssertionError("vectors empty or equal")


run()
