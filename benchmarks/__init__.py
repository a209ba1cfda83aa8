"""Benchmarks behind `python -m skill bench`: each figure against a baseline from the same run.

turns.py       turn cost through lambda_handler and through the Flask app (WSGI), SQLite store,
               against ask-sdk-core's hello world as written and on our serializer
skills.py      the store made ready (a student with every fact) and the five requests
hello.py       the hello-world baselines: SkillBuilder.lambda_handler() and a bare Flask app
cold_start.py  importing the Lambda handler from the zip's layout, in fresh subprocesses
memory.py      peak memory of one gunicorn worker after many requests
http_load.py   gunicorn on loopback under load (locust), signature checks on against off
matching.py    accuracy and time per question of the matcher against a word-overlap matcher
run.py         the command: runs them and prints the table (report.py)
profile.py     python -m benchmarks.profile: cProfile of one turn through lambda_handler
"""
