"""Real-execution differential of reflect calls on every register-ABI architecture
(docs/realexec.md)."""
