# 8 clients register images as fast as they can, each as an account of its
# own; once every client has had an answer, the server is killed with
# SIGKILL a second later. Prints, per account, the image IDs whose
# RegisterImage was answered 200.
import json, multiprocessing, os, signal, sys, time
import boto3
from botocore.config import Config

CLIENTS = 8


def started(counter):
    global answering
    answering = counter


def register(n):
    ec2 = boto3.client("ec2", aws_access_key_id=f"4444444444{n:02d}", aws_secret_access_key="any",
                       config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))
    answered = []
    for i in range(100_000):
        try:
            answered.append(ec2.register_image(Name=f"load-{n}-{i}")["ImageId"])
        except Exception:
            break
        if i == 0:
            with answering.get_lock():
                answering.value += 1
    return answered


if __name__ == "__main__":
    server = int(sys.argv[1])
    counter = multiprocessing.Value("i", 0)
    with multiprocessing.Pool(CLIENTS, initializer=started, initargs=(counter,)) as pool:
        pending = pool.map_async(register, range(CLIENTS))
        deadline = time.time() + 60
        while counter.value < CLIENTS and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(1)
        os.kill(server, signal.SIGKILL)
        answered = pending.get(timeout=60)
    print(json.dumps({f"4444444444{n:02d}": ids for n, ids in enumerate(answered)}))
