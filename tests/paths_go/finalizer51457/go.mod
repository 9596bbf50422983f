module regabi.test/finalizer51457

go 1.22
