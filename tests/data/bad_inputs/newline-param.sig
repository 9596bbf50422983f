func(a int
)