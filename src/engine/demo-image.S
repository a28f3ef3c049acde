/* The demo image's layer (busybox), embedded in the binary so that a first
   run needs no registry: see scripts/make-demo-image.sh. */
	.section .rodata
	.global dxc_demo_tar_start
	.global dxc_demo_tar_end
	.balign 16
dxc_demo_tar_start:
	.incbin DEMO_TAR
dxc_demo_tar_end:
	.section .note.GNU-stack,"",@progbits
