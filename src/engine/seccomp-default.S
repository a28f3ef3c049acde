/* Docker's default seccomp profile (moby's profiles/seccomp/default.json,
   Apache-2.0), embedded: see security-opts.c. */
	.section .rodata
	.global dxc_seccomp_default_start
	.global dxc_seccomp_default_end
dxc_seccomp_default_start:
	.incbin SECCOMP_DEFAULT
dxc_seccomp_default_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
