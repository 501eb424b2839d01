# Four boto3 clients at once, two on each of two servers over one store: each
# registers images, shares each with another account, grants one common
# image of account 555555555500 to an account of its own (every grant changes
# that one image), copies every third image to us-west-2 and launches an
# instance from every fourth. Each call is sent once (no retries), so an
# answer is one applied call.
#
#   two_servers_load.py URL_A URL_B ROUNDS           every client ROUNDS rounds
#   two_servers_load.py URL_A URL_B kill PID_A       until the server PID_A is
#       killed with SIGKILL, a second after every client has had an answer
#
# Prints the common image and, per client, what each answered call made.
import json, multiprocessing, os, signal, sys, time
import boto3
from botocore.config import Config

CLIENTS = 4
OWNER = "555555555500"


def account(n):
    return f"5555555555{n + 1:02d}"


def client(url, who, region="us-east-1"):
    return boto3.client("ec2", endpoint_url=url, region_name=region, aws_access_key_id=who,
                        aws_secret_access_key="amisim-unclaimed-account",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


def started(counter, killed):
    global answering, killed_at
    answering, killed_at = counter, killed


def load(args):
    n, url, common, rounds = args
    east, west, owner = client(url, account(n)), client(url, account(n), "us-west-2"), client(url, OWNER)
    made = {"images": [], "shares": [], "grants": [], "copies": [], "instances": []}
    for i in range(rounds):
        if killed_at.value and time.time() > killed_at.value + 2:
            break
        try:
            image = east.register_image(Name=f"side-{n}-{i}")["ImageId"]
            made["images"].append(image)
            if i == 0:
                with answering.get_lock():
                    answering.value += 1
            east.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"UserId": account((n + 1) % CLIENTS)}]})
            made["shares"].append(image)
            grantee = f"7777{n:02d}{i:06d}"
            owner.modify_image_attribute(ImageId=common, LaunchPermission={"Add": [{"UserId": grantee}]})
            made["grants"].append(grantee)
            if i % 3 == 0:
                made["copies"].append(west.copy_image(SourceImageId=image, SourceRegion="us-east-1",
                                                      Name=f"side-{n}-{i}-copy")["ImageId"])
            if i % 4 == 0:
                made["instances"].append(east.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                                                            InstanceType="t3.micro")["Instances"][0]["InstanceId"])
        except Exception as e:
            made["stopped"] = type(e).__name__
            break
    return made


if __name__ == "__main__":
    urls = sys.argv[1:3]
    kill = sys.argv[3] == "kill"
    rounds = 100_000 if kill else int(sys.argv[3])
    common = client(urls[0], OWNER).register_image(Name="common")["ImageId"]
    counter, killed = multiprocessing.Value("i", 0), multiprocessing.Value("d", 0.0)
    with multiprocessing.Pool(CLIENTS, initializer=started, initargs=(counter, killed)) as pool:
        pending = pool.map_async(load, [(n, urls[n % 2], common, rounds) for n in range(CLIENTS)])
        if kill:
            deadline = time.time() + 60
            while counter.value < CLIENTS and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(1)
            os.kill(int(sys.argv[4]), signal.SIGKILL)
            # The clients of the server left standing go on two seconds more.
            killed.value = time.time()
        made = pending.get(timeout=300)
    print(json.dumps({"common": common, "clients": {account(n): m for n, m in enumerate(made)}}))
