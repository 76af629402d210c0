"""Two LLVM intrinsics for the compiled RFM loops, which Numba does not expose itself.

* :func:`prefetch_row` asks the CPU to start loading a table row into cache without waiting
  for it. The hash-aggregate loop is bound by cache misses, not arithmetic, so a miss taken
  some rows ahead overlaps with the work in between.
* :func:`leading_zeros` counts the leading zero bits of a uint64 (one instruction), for the
  HyperLogLog sketch.

Both are usable only inside Numba-compiled functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from llvmlite import ir
from numba.core import cgutils as _cgutils
from numba.core import types
from numba.extending import intrinsic

__all__ = ["leading_zeros", "prefetch_row"]

# numba's code-generation helpers are untyped; they are used through Any.
cgutils: Any = _cgutils


def _prefetch_typing(typing_context: Any, table: Any, row: Any) -> Any:
    """Ask the CPU to fetch ``table[row]`` into cache without waiting for it (LLVM prefetch).

    The row loop is bound by cache misses on the table, not by arithmetic: a miss taken a few
    rows ahead overlaps with the work on the rows in between.
    """
    signature = types.void(table, row)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        array_type = sig.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], sig.args[1], types.intp)
        zero = context.get_constant(types.intp, 0)
        pointer = cgutils.get_item_pointer2(
            context,
            builder,
            data=array.data,
            shape=cgutils.unpack_tuple(builder, array.shape),
            strides=cgutils.unpack_tuple(builder, array.strides),
            layout=array_type.layout,
            inds=[index, zero],
            wraparound=False,
            boundscheck=False,
        )
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32])
        prefetch = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        # write intent, keep in all cache levels, data cache
        builder.call(
            prefetch, [builder.bitcast(pointer, byte_pointer), int32(1), int32(3), int32(1)]
        )
        return context.get_dummy_value()

    return signature, codegen


prefetch_row = cast(Callable[[Any, Any], None], intrinsic(_prefetch_typing))


def _leading_zeros_typing(typing_context: Any, value: Any) -> Any:
    """Count the leading zero bits of a uint64 (LLVM ``ctlz``; 64 for zero)."""
    signature = types.uint64(value)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        int64 = ir.IntType(64)
        function_type = ir.FunctionType(int64, [int64, ir.IntType(1)])
        ctlz = cgutils.get_or_insert_function(builder.module, function_type, "llvm.ctlz.i64")
        return builder.call(ctlz, [args[0], ir.Constant(ir.IntType(1), 0)])

    return signature, codegen


leading_zeros = cast(Callable[[Any], int], intrinsic(_leading_zeros_typing))
