/* The exec stub's static binary, embedded (see exec-stub.c). */
        .section .rodata
        .global dxc_exec_stub_start
        .global dxc_exec_stub_end
        .balign 16
dxc_exec_stub_start:
        .incbin EXEC_STUB
dxc_exec_stub_end:
        .section .note.GNU-stack,"",@progbits
