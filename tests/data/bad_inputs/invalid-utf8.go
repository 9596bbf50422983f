package p

func F() {} // café
