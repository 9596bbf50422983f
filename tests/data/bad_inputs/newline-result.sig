func()
(int)