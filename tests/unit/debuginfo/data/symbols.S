/* Symbols arranged to exercise the address -> symbol rules (see symbol_table.h): nesting,
 * ties on start and size broken by binding, size-0 labels. Linked with -nostdlib. */
	.text
	.globl	_start
	.type	_start, @function
_start:
	ret
	.size	_start, .-_start

	.p2align 4
	.globl	outer
	.type	outer, @function
outer:				/* 64 bytes, with `inner` nested at +16 */
	.skip	16
	.type	inner, @function
inner:
	.skip	8
	.size	inner, 8
	.skip	40
	.size	outer, 64

	.p2align 4
	.type	tie_local, @function
	.weak	tie_weak
	.type	tie_weak, @function
	.globl	tie_global
	.type	tie_global, @function
tie_local:
tie_weak:
tie_global:
	.skip	32
	.size	tie_local, 32
	.size	tie_weak, 32
	.size	tie_global, 32

	.p2align 4
	.type	short_and_long_short, @function
	.type	short_and_long_long, @function
short_and_long_short:
short_and_long_long:
	.skip	32
	.size	short_and_long_short, 8
	.size	short_and_long_long, 32

	.p2align 4
	.globl	sizeless_label		/* hand-written assembly: no .size */
sizeless_label:
	.skip	24
	.globl	after_sizeless
	.type	after_sizeless, @function
after_sizeless:
	.skip	8
	.size	after_sizeless, 8

	.data
	.p2align 3
	.globl	data_object
	.type	data_object, @object
data_object:
	.quad	1, 2
	.size	data_object, 16
