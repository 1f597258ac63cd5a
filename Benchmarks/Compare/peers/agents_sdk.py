"""The OpenAI Agents SDK: an Agent with one async function tool, run by Runner.run over the Chat
Completions model class pointed at the local server. Tracing is off (it would export to OpenAI)."""
import asyncio

from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
from openai import AsyncOpenAI

from common import Recorder, arguments, run_queries


async def main():
    options = arguments()
    recorder = Recorder(options.timestamps)
    set_tracing_disabled(True)

    @function_tool
    async def wait() -> str:
        """Waits 200 ms."""
        return await recorder.wait()

    model = OpenAIChatCompletionsModel(model="compare", openai_client=AsyncOpenAI(base_url=options.base_url, api_key="compare"))
    agent = Agent(name="compare", instructions="You are a benchmark.", model=model, tools=[wait])

    async def run_one():
        result = await Runner.run(agent, "go")
        return result.final_output

    await run_queries(options, recorder, run_one)


asyncio.run(main())
