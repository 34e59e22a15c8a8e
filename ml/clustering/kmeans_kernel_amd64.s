//go:build amd64 && !purego

#include "textflag.h"

// func kmNearestAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, lab *int32, score *float64)
//
// For each of rows (even, >= 2) dense rows x (row-major, d >= 1 values
// each) finds the centre c < kp (kp a multiple of 4) minimizing
// n2[c] + Σ_j x[i*d+j]·ct[j*kp+c], where ct holds the centres transposed
// and scaled by -2 (so the sum is the squared distance minus ‖x_i‖²), and
// writes c to lab[i] and the minimum to score[i]. Ties go to the lowest c.
//
// Two rows at a time: for each group of 16 (then 4) centres the scores of
// both rows are accumulated with FMAs in Y0-Y3 and Y4-Y7, the centres'
// values loaded once per feature for both rows; then each row's group
// minimum is reduced across lanes and, when it beats the row's running
// minimum (X14, X15), its lowest position is found from the lanes equal to
// it (VCMPPD, VMOVMSKPD, BSF).
TEXT ·kmNearestAVX2(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ rows+8(FP), R8
	MOVQ d+16(FP), R9
	MOVQ kp+32(FP), R14
	MOVQ lab+48(FP), DI
	MOVQ score+56(FP), DX
	MOVQ R9, R13
	SHLQ $3, R13       // row stride of x in bytes
	SHLQ $3, R14       // row stride of ct in bytes

pairs:
	CMPQ R8, $2
	JLT  done
	LEAQ (SI)(R13*1), BX // second row
	XORQ AX, AX          // byte offset of the centre group in a ct row
	MOVL $0, (DI)
	MOVL $0, 4(DI)
	MOVQ $0x7FF0000000000000, R10 // +Inf
	MOVQ R10, X14
	MOVQ R10, X15

g16:
	MOVQ kp+32(FP), R10
	SHRQ $4, R10
	SHLQ $7, R10         // bytes covered by whole groups of 16
	CMPQ AX, R10
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

	// Row a: the group minimum in every lane of Y8.
	VMINPD Y1, Y0, Y8
	VMINPD Y3, Y2, Y9
	VMINPD Y9, Y8, Y8
	VPERM2F128 $1, Y8, Y8, Y9
	VMINPD Y9, Y8, Y8
	VPERMILPD $5, Y8, Y9
	VMINPD Y9, Y8, Y8
	UCOMISD X14, X8
	JAE  b16
	VCMPPD $0, Y8, Y0, Y9
	VMOVMSKPD Y9, R10
	VCMPPD $0, Y8, Y1, Y9
	VMOVMSKPD Y9, R11
	SHLQ $4, R11
	ORQ  R11, R10
	VCMPPD $0, Y8, Y2, Y9
	VMOVMSKPD Y9, R11
	SHLQ $8, R11
	ORQ  R11, R10
	VCMPPD $0, Y8, Y3, Y9
	VMOVMSKPD Y9, R11
	SHLQ $12, R11
	ORQ  R11, R10
	BSFQ R10, R10
	MOVQ AX, R11
	SHRQ $3, R11
	ADDQ R11, R10
	MOVL R10, (DI)
	MOVAPD X8, X14

b16:
	// Row b.
	VMINPD Y5, Y4, Y8
	VMINPD Y7, Y6, Y9
	VMINPD Y9, Y8, Y8
	VPERM2F128 $1, Y8, Y8, Y9
	VMINPD Y9, Y8, Y8
	VPERMILPD $5, Y8, Y9
	VMINPD Y9, Y8, Y8
	UCOMISD X15, X8
	JAE  n16
	VCMPPD $0, Y8, Y4, Y9
	VMOVMSKPD Y9, R10
	VCMPPD $0, Y8, Y5, Y9
	VMOVMSKPD Y9, R11
	SHLQ $4, R11
	ORQ  R11, R10
	VCMPPD $0, Y8, Y6, Y9
	VMOVMSKPD Y9, R11
	SHLQ $8, R11
	ORQ  R11, R10
	VCMPPD $0, Y8, Y7, Y9
	VMOVMSKPD Y9, R11
	SHLQ $12, R11
	ORQ  R11, R10
	BSFQ R10, R10
	MOVQ AX, R11
	SHRQ $3, R11
	ADDQ R11, R10
	MOVL R10, 4(DI)
	MOVAPD X8, X15

n16:
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

	VPERM2F128 $1, Y0, Y0, Y9
	VMINPD Y9, Y0, Y8
	VPERMILPD $5, Y8, Y9
	VMINPD Y9, Y8, Y8
	UCOMISD X14, X8
	JAE  b4
	VCMPPD $0, Y8, Y0, Y9
	VMOVMSKPD Y9, R10
	BSFQ R10, R10
	MOVQ AX, R11
	SHRQ $3, R11
	ADDQ R11, R10
	MOVL R10, (DI)
	MOVAPD X8, X14

b4:
	VPERM2F128 $1, Y4, Y4, Y9
	VMINPD Y9, Y4, Y8
	VPERMILPD $5, Y8, Y9
	VMINPD Y9, Y8, Y8
	UCOMISD X15, X8
	JAE  n4
	VCMPPD $0, Y8, Y4, Y9
	VMOVMSKPD Y9, R10
	BSFQ R10, R10
	MOVQ AX, R11
	SHRQ $3, R11
	ADDQ R11, R10
	MOVL R10, 4(DI)
	MOVAPD X8, X15

n4:
	ADDQ $32, AX
	JMP  g4

next:
	MOVSD X14, (DX)
	MOVSD X15, 8(DX)
	LEAQ (SI)(R13*2), SI
	ADDQ $8, DI
	ADDQ $16, DX
	SUBQ $2, R8
	JMP  pairs

done:
	VZEROUPPER
	RET
