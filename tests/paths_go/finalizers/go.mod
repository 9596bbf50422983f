module regabi.test/finalizers

go 1.22
