0a: &a [x, x]
b: &b [*a, *a]
c: [*b, *b]
