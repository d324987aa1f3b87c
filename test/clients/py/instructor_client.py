"""instructor over the openai SDK (from_openai, its default TOOLS mode) against every route."""
import instructor
import openai
from pydantic import BaseModel

from matrix import BASE, cell, expect, model, run


class Answer(BaseModel):
    ok: bool


client = instructor.from_openai(openai.OpenAI(base_url=BASE + "/v1", api_key="anything"))


@cell("response_model")
def response_model(route):
    r, completion = client.chat.completions.create_with_completion(model=model(route, "json"), response_model=Answer, messages=[{"role": "user", "content": "Is it ok?"}])
    expect(r.model_dump(), {"ok": True}, "parsed")
    expect(completion.usage.completion_tokens, 7, "usage")


@cell("response_model stream (Partial)")
def partial(route):
    last = None
    for p in client.chat.completions.create_partial(model=model(route, "json"), response_model=Answer, messages=[{"role": "user", "content": "Is it ok?"}]):
        last = p
    expect(last.ok, True, "final partial")


run()
