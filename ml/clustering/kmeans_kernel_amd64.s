//go:build amd64 && !purego

#include "textflag.h"

// func kmScoresAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, out *float64)
//
// For each of rows (even, >= 2) dense rows x (row-major, d >= 1 values
// each) and each of kp (a multiple of 4) centres, out[i*kp+c] =
// n2[c] + Σ_j x[i*d+j]·ct[j*kp+c], where ct holds the centres transposed
// and scaled by -2: the squared distance minus ‖x_i‖². Two rows at a
// time against 16 (then 4) centres, with the centres' values loaded once
// per feature for both rows.
TEXT ·kmScoresAVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ rows+8(FP), R8
	MOVQ d+16(FP), R9
	MOVQ kp+32(FP), R14
	MOVQ out+48(FP), DI
	MOVQ R9, R13
	SHLQ $3, R13       // row stride of x in bytes
	MOVQ R14, DX
	SHRQ $4, DX
	SHLQ $7, DX        // bytes covered by whole groups of 16 centres
	SHLQ $3, R14       // row stride of ct and out in bytes

pairs:
	CMPQ R8, $2
	JLT  done
	LEAQ (SI)(R13*1), BX // second row
	XORQ AX, AX          // byte offset of the centre group

g16:
	CMPQ AX, DX
	JGE  g4
	MOVQ n2+40(FP), R10
	VMOVUPD (R10)(AX*1), Y0
	VMOVUPD 32(R10)(AX*1), Y1
	VMOVUPD 64(R10)(AX*1), Y2
	VMOVUPD 96(R10)(AX*1), Y3
	VMOVAPD Y0, Y4
	VMOVAPD Y1, Y5
	VMOVAPD Y2, Y6
	VMOVAPD Y3, Y7
	MOVQ ct+24(FP), R10
	ADDQ AX, R10
	MOVQ SI, R11
	MOVQ BX, R12
	MOVQ R9, CX

j16:
	VMOVUPD (R10), Y8
	VMOVUPD 32(R10), Y9
	VMOVUPD 64(R10), Y10
	VMOVUPD 96(R10), Y11
	VBROADCASTSD (R11), Y12
	VBROADCASTSD (R12), Y13
	VFMADD231PD Y8, Y12, Y0
	VFMADD231PD Y9, Y12, Y1
	VFMADD231PD Y10, Y12, Y2
	VFMADD231PD Y11, Y12, Y3
	VFMADD231PD Y8, Y13, Y4
	VFMADD231PD Y9, Y13, Y5
	VFMADD231PD Y10, Y13, Y6
	VFMADD231PD Y11, Y13, Y7
	ADDQ R14, R10
	ADDQ $8, R11
	ADDQ $8, R12
	DECQ CX
	JNZ  j16

	LEAQ (DI)(R14*1), CX
	VMOVUPD Y0, (DI)(AX*1)
	VMOVUPD Y1, 32(DI)(AX*1)
	VMOVUPD Y2, 64(DI)(AX*1)
	VMOVUPD Y3, 96(DI)(AX*1)
	VMOVUPD Y4, (CX)(AX*1)
	VMOVUPD Y5, 32(CX)(AX*1)
	VMOVUPD Y6, 64(CX)(AX*1)
	VMOVUPD Y7, 96(CX)(AX*1)
	ADDQ $128, AX
	JMP  g16

g4:
	CMPQ AX, R14
	JGE  next
	MOVQ n2+40(FP), R10
	VMOVUPD (R10)(AX*1), Y0
	VMOVAPD Y0, Y4
	MOVQ ct+24(FP), R10
	ADDQ AX, R10
	MOVQ SI, R11
	MOVQ BX, R12
	MOVQ R9, CX

j4:
	VMOVUPD (R10), Y8
	VBROADCASTSD (R11), Y12
	VBROADCASTSD (R12), Y13
	VFMADD231PD Y8, Y12, Y0
	VFMADD231PD Y8, Y13, Y4
	ADDQ R14, R10
	ADDQ $8, R11
	ADDQ $8, R12
	DECQ CX
	JNZ  j4

	LEAQ (DI)(R14*1), CX
	VMOVUPD Y0, (DI)(AX*1)
	VMOVUPD Y4, (CX)(AX*1)
	ADDQ $32, AX
	JMP  g4

next:
	LEAQ (SI)(R13*2), SI
	LEAQ (DI)(R14*2), DI
	SUBQ $2, R8
	JMP  pairs

done:
	VZEROUPPER
	RET
