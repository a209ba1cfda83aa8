"""Benchmarks behind `python -m skill bench`: each figure against a baseline from the same run.

turns.py       in-process turn cost (deserialise, invoke, serialise) against a hello-world skill
cold_start.py  importing the Lambda handler and building the skill, in fresh subprocesses
memory.py      peak memory of one worker after many requests, in a fresh subprocess
http_load.py   gunicorn on loopback under load (locust), signature checks on against off
matching.py    accuracy and time per question of the matcher against a word-overlap matcher
run.py         the command: runs them and prints the table (report.py)
"""
