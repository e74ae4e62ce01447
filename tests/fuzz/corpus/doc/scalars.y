0"q": !!str 0x1F
f: .inf
n: ~
m: {a: 1, b: [true, false, 1.5e3]}
l: |
  multi
  line
