"""The OpenAI Agents SDK (openai-agents) against every route, in its default configuration: the
client it makes itself from OPENAI_BASE_URL and OPENAI_API_KEY, and its default model class (the
Responses API). One setting differs from its defaults, because of this test's setting, not the
gateway's behaviour: tracing off (it exports traces to api.openai.com)."""
import os

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"

from matrix import BASE, cell, expect, model, run  # noqa: E402

os.environ["OPENAI_BASE_URL"] = BASE + "/v1"
os.environ["OPENAI_API_KEY"] = "anything"

from agents import Agent, Runner, function_tool  # noqa: E402

calls = []


@function_tool
def get_weather(location: str) -> str:
    """The weather in a city."""
    calls.append(location)
    return f"Sunny in {location}"


def agent(route):
    return Agent(name="Weather", instructions="Answer with the weather tool.", tools=[get_weather], model=model(route, "tool"))


@cell("agent + function tool, multi-turn")
def multi_turn(route):
    calls.clear()
    a = agent(route)
    first = Runner.run_sync(a, "What is the weather in Paris?")
    expect(calls, ["Paris"], "tool calls, turn 1")
    if "Sunny in Paris" not in first.final_output:
        raise AssertionError(f"turn 1 output: {first.final_output!r}")
    u = first.context_wrapper.usage
    expect((u.requests, u.input_tokens, u.output_tokens), (2, 22, 14), "usage, turn 1")
    # The second turn carries the whole first one (its tool call and output) as input, the SDK's default.
    second = Runner.run_sync(a, first.to_input_list() + [{"role": "user", "content": "And in location=Rome please"}])
    expect(calls, ["Paris", "Rome"], "tool calls, turn 2")
    if "Sunny in Rome" not in second.final_output:
        raise AssertionError(f"turn 2 output: {second.final_output!r}")
    # The third is continued by server-side state: only the new message is sent, Tollgate supplies the rest.
    third = Runner.run_sync(a, "And in location=Oslo please", previous_response_id=second.last_response_id)
    expect(calls, ["Paris", "Rome", "Oslo"], "tool calls, turn 3")
    if "Sunny in Oslo" not in third.final_output:
        raise AssertionError(f"turn 3 output: {third.final_output!r}")


run()
