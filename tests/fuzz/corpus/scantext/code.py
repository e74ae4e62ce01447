import requests as r
from subprocess import *
r.get("https://x.example/a?t=1")
check_output(["curl", "https://y"])
x = torch.load(p)
eval(s)
m.from_pretrained("o/n", trust_remote_code=True)
HF = "hf_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"
