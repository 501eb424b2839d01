# The server's store opened a second time in its own process (the console),
# while another process writes to the store (the amisim command), under load
# from boto3 clients; then the server is killed with SIGKILL. Prints the
# image IDs whose RegisterImage was answered 200, per account, and every
# descriptor of the server that pointed at a deleted file of the store.
#   argv: server PID, server URL, the amisim binary, the store path
import json, os, signal, subprocess, sys, threading, time, urllib.request
import boto3
from botocore.config import Config

ROUNDS = 6
CLIENTS = 4
PER_ROUND = 10

server, url, amisim, store = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def client(n):
    return boto3.client("ec2", aws_access_key_id=f"5555555555{n:02d}", aws_secret_access_key="any",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30))


def deleted_store_files():
    found = []
    for fd in os.listdir(f"/proc/{server}/fd"):
        try:
            target = os.readlink(f"/proc/{server}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(store) and target.endswith("(deleted)"):
            found.append(target)
    return found


def protect(image):
    done = subprocess.run([amisim, "--store", store, "images", "protect", image], capture_output=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"amisim images protect {image}: {done.stderr.decode()}")


answered = {f"5555555555{n:02d}": [] for n in range(CLIENTS)}
deleted = set()
stop = threading.Event()


# Clients are made here, one at a time: making boto3 clients is not thread-safe.
clients = {n: client(n) for n in range(CLIENTS)}


def load(n):
    ec2 = clients[n]
    i = 0
    while not stop.is_set():
        answered[f"5555555555{n:02d}"].append(ec2.register_image(Name=f"beside-{n}-{i}")["ImageId"])
        i += 1


ec2 = clients[0]
for round in range(ROUNDS):
    # Alone: registrations, the console, a write from another process, registrations.
    for i in range(PER_ROUND):
        answered["555555555500"].append(ec2.register_image(Name=f"alone-{round}-{i}")["ImageId"])
    urllib.request.urlopen(f"{url}/console/", timeout=30).read()
    protect(answered["555555555500"][-1])
    deleted.update(deleted_store_files())
    for i in range(PER_ROUND):
        answered["555555555500"].append(ec2.register_image(Name=f"after-{round}-{i}")["ImageId"])
    deleted.update(deleted_store_files())

# Under load: the same while clients register all the time.
threads = [threading.Thread(target=load, args=(n,)) for n in range(1, CLIENTS)]
for t in threads:
    t.start()
for round in range(ROUNDS):
    urllib.request.urlopen(f"{url}/console/", timeout=30).read()
    protect(answered["555555555500"][round])
    deleted.update(deleted_store_files())
    time.sleep(0.2)
stop.set()
for t in threads:
    t.join(timeout=60)
deleted.update(deleted_store_files())
os.kill(server, signal.SIGKILL)
print(json.dumps({"answered": answered, "deleted": sorted(deleted)}))
