# While another process holds the store's write lock for longer than the
# server may wait for it (argv: the store, seconds to hold it), boto3
# clients without retries are answered 503 ServiceUnavailable, and once it
# is released nothing they asked for is there; a client with botocore's
# standard retries, whose first attempts meet the lock, succeeds once.
import json, subprocess, sys, threading, time
import boto3, botocore
from botocore.config import Config

store, hold = sys.argv[1], float(sys.argv[2])
HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
"""


def held(seconds):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, store, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def client(retries):
    mode = {"mode": "standard", "max_attempts": 6} if retries else {"max_attempts": 1}
    return boto3.client("ec2", config=Config(retries=mode, read_timeout=60))


def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return f'{e.response["ResponseMetadata"]["HTTPStatusCode"]} {e.response["Error"]["Code"]}'


once = client(False)
out = {}
# Four calls at once while the lock is held well past the wait: each is refused in time.
holder = held(hold * 3)
clients = [client(False) for _ in range(4)]
answers = [None] * 4
started = time.time()
threads = [threading.Thread(target=lambda n=n: answers.__setitem__(n, code(lambda: clients[n].register_image(Name=f"refused-{n}"))))
           for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out["refused"] = answers
out["answered_while_held"] = time.time() - started < hold * 3
holder.wait()
time.sleep(1)
out["refused_stored"] = once.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["refused-*"]}])["Images"]
# Held a little longer than the wait: the retries of botocore's standard mode get through once.
holder = held(hold * 1.5)
retried = client(True)
response = retried.register_image(Name="retried")
holder.wait()
out["retried_attempts"] = response["ResponseMetadata"]["RetryAttempts"] > 0
out["retried_stored"] = [i["Name"] for i in once.describe_images(Owners=["self"])["Images"]]
print(json.dumps(out))
