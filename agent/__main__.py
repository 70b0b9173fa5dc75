from agent.cli.main import run

run()
