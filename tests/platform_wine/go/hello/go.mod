module regabi.test/hello

go 1.22
