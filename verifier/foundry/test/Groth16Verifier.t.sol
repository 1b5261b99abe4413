// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Base, Proof} from "./Base.sol";
import {Groth16Verifier} from "./fixtures/Groth16Verifier.sol";
import {Proofs} from "./fixtures/Proofs.sol";

/// @notice zkyield's generated verifier (test/fixtures/Groth16Verifier.sol, rendered from the committed test key)
/// against real zkyield proofs, and what docs/onchain.md says it does with bad input: false, never a revert,
/// except for calldata shorter than the ABI's.
contract Groth16VerifierTest is Base {
    Groth16Verifier internal verifier;
    /// 4 + 32 * (8 + 6): selector, a, b, c, six public signals.
    uint256 internal constant CALLDATA_LEN = 4 + 32 * 14;

    function setUp() public {
        verifier = new Groth16Verifier();
    }

    function verify(Proof memory p) internal view returns (bool) {
        return verifier.verifyProof(p.a, p.b, p.c, p.pub);
    }

    function encoded(Proof memory p) internal pure returns (bytes memory) {
        return abi.encodeCall(Groth16Verifier.verifyProof, (p.a, p.b, p.c, p.pub));
    }

    function proofAt(uint256 i) internal pure returns (Proof memory) {
        i = i % 5;
        if (i == 0) return Proofs.alice1();
        if (i == 1) return Proofs.alice1b();
        if (i == 2) return Proofs.alice2();
        if (i == 3) return Proofs.bob1();
        return Proofs.aliceHistory();
    }

    function test_realProofsVerify() public view {
        for (uint256 i = 0; i < 5; i++) {
            vm.assertTrue(verify(proofAt(i)), "a real zkyield proof must verify");
        }
    }

    /// What the verifier itself spends on a valid proof (its call frame, as forge measures it).
    function test_validProofGas() public view {
        Proof memory p = Proofs.alice1();
        vm.assertTrue(verifier.verifyProof(p.a, p.b, p.c, p.pub), "valid");
        uint256 used = vm.lastCallGas().gasTotalUsed;
        // EIP-1108 floor for 6 inputs: 181,150 + 6 * 6,150; docs/onchain.md: within 3% of it.
        vm.assertGe(used, 218_050, "below the precompile floor: the pairing did not run");
        vm.assertLe(used * 100, 218_050 * 103, "more than 3% over the precompile floor");
    }

    /// A proof for other public signals, and each proof under another statement's signals, is refused.
    function test_proofDoesNotVerifyOtherStatements() public view {
        for (uint256 i = 0; i < 5; i++) {
            for (uint256 j = 0; j < 5; j++) {
                Proof memory p = proofAt(i);
                Proof memory other = proofAt(j);
                if (keccak256(abi.encode(p.pub)) == keccak256(abi.encode(other.pub))) continue;
                p.pub = other.pub;
                vm.assertFalse(verify(p), "a proof verified under another statement's signals");
            }
        }
    }

    /// Any public signal >= r is refused (without the explicit check, s + r would verify: r * IC_i = O).
    function testFuzz_signalAtLeastROrNotCanonicalRefused(uint256 which, uint8 slot, uint256 value) public view {
        Proof memory p = proofAt(which);
        value = R + (value % (type(uint256).max - R + 1));
        p.pub[slot % 6] = value;
        vm.assertFalse(verify(p), "public signal >= r accepted");
    }

    function testFuzz_signalPlusRRefused(uint256 which, uint8 slot) public view {
        Proof memory p = proofAt(which);
        p.pub[slot % 6] += R; // every fixture signal is < 2^256 - r
        vm.assertFalse(verify(p), "s + r accepted: the verifier reduces public signals mod r");
    }

    function testFuzz_changedSignalRefused(uint256 which, uint8 slot, uint256 value) public view {
        Proof memory p = proofAt(which);
        uint256 i = slot % 6;
        value = value % R;
        vm.assume(value != p.pub[i]);
        p.pub[i] = value;
        vm.assertFalse(verify(p), "a changed public signal verified");
    }

    /// A.y >= q: the verifier negates A as (q - A.y) mod q in 256-bit words, so y' = ((A.y + 2^256) mod q) + k*q
    /// wraps to the same -A and, without the explicit A.y < q check, would verify as a second encoding.
    function testFuzz_nonCanonicalAyRefused(uint256 which, uint8 k) public view {
        Proof memory p = proofAt(which);
        uint256 twoTo256ModQ = (type(uint256).max % Q + 1) % Q;
        uint256 y = addmod(p.a[1], twoTo256ModQ, Q) + (uint256(k) % 4 + 1) * Q;
        uint256 negY;
        unchecked {
            negY = (Q - y) % Q;
        }
        vm.assertEq(negY, Q - p.a[1], "the malleated A.y must negate to the same -A (else the test proves nothing)");
        p.a[1] = y;
        vm.assertFalse(verify(p), "a non-canonical A.y verified");
        p.a[1] = proofAt(which).a[1] + Q;
        vm.assertFalse(verify(p), "A.y + q verified");
    }

    /// Random words for A, B and C (off-curve, outside G2, coordinates >= q, or just wrong): false, no revert.
    function testFuzz_randomPointsRefused(uint256 which, uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c)
        public
        view
    {
        Proof memory p = proofAt(which);
        vm.assertFalse(verifier.verifyProof(a, b, c, p.pub), "random A, B, C verified");
        vm.assertFalse(verifier.verifyProof(a, p.b, p.c, p.pub), "random A verified");
        vm.assertFalse(verifier.verifyProof(p.a, b, p.c, p.pub), "random B verified");
        vm.assertFalse(verifier.verifyProof(p.a, p.b, c, p.pub), "random C verified");
    }

    /// One flipped bit in any word of the proof: false, never a revert.
    function testFuzz_flippedProofWordRefused(uint256 which, uint8 word, uint8 bit) public view {
        bytes memory data = encoded(proofAt(which));
        uint256 offset = 4 + 32 * (word % 8);
        uint256 mask = 1 << (bit % 256);
        assembly {
            let ptr := add(add(data, 0x20), offset)
            mstore(ptr, xor(mload(ptr), mask))
        }
        (bool success, bytes memory ret) = address(verifier).staticcall(data);
        vm.assertTrue(success, "a bad proof must not revert");
        vm.assertFalse(abi.decode(ret, (bool)), "a proof with a flipped bit verified");
    }

    /// The points at infinity (all zeros) are not a proof.
    function test_zeroProofRefused() public view {
        uint256[2] memory zero;
        uint256[2][2] memory zero2;
        vm.assertFalse(verifier.verifyProof(zero, zero2, zero, Proofs.alice1().pub), "the zero proof verified");
    }

    /// Calldata shorter than 4 + 32 * 14 bytes reverts in the ABI decoder, before the assembly runs.
    function testFuzz_shortCalldataReverts(uint256 which, uint16 cut) public view {
        bytes memory data = encoded(proofAt(which));
        uint256 len = CALLDATA_LEN - 1 - (uint256(cut) % CALLDATA_LEN);
        assembly {
            mstore(data, len)
        }
        (bool success,) = address(verifier).staticcall(data);
        vm.assertFalse(success, "short calldata did not revert");
    }

    /// Bytes beyond the ABI's length are ignored: a valid proof with junk appended still verifies.
    function testFuzz_trailingBytesIgnored(uint256 which, bytes memory junk) public view {
        bytes memory data = bytes.concat(encoded(proofAt(which)), junk);
        (bool success, bytes memory ret) = address(verifier).staticcall(data);
        vm.assertTrue(success && abi.decode(ret, (bool)), "trailing bytes changed the result");
    }

    /// An unknown selector or empty calldata reverts (the contract has no fallback).
    function testFuzz_unknownSelectorReverts(bytes4 selector) public view {
        vm.assume(selector != Groth16Verifier.verifyProof.selector);
        bytes memory data = encoded(Proofs.alice1());
        assembly {
            let ptr := add(data, 0x20)
            mstore(ptr, or(and(mload(ptr), not(shl(224, 0xffffffff))), selector))
        }
        (bool success,) = address(verifier).staticcall(data);
        vm.assertFalse(success, "unknown selector accepted");
        (success,) = address(verifier).staticcall("");
        vm.assertFalse(success, "empty calldata accepted");
    }

    /// The pairing gets a fixed 181,000-gas stipend: with less gas left it fails and the verifier says false.
    function test_tooLittleGasReturnsFalse() public view {
        (bool success, bytes memory ret) = address(verifier).staticcall{gas: 200_000}(encoded(Proofs.alice1()));
        vm.assertTrue(success, "ran out of gas outside the pairing call");
        vm.assertFalse(abi.decode(ret, (bool)), "verified with less gas than the pairing needs");
    }

    /// A point the pairing precompile rejects costs no more than a valid proof (the stipend, not 63/64 of gas).
    function test_rejectedPointCostsNoMoreThanValidProof() public view {
        Proof memory p = Proofs.alice1();
        bytes memory good = encoded(p);
        p.c[1] = addmod(p.c[1], 1, Q); // C off the curve
        bytes memory bad = encoded(p);
        uint256 g0 = gasleft();
        (bool ok1,) = address(verifier).staticcall{gas: 5_000_000}(good);
        uint256 g1 = gasleft();
        (bool ok2, bytes memory ret) = address(verifier).staticcall{gas: 5_000_000}(bad);
        uint256 g2 = gasleft();
        vm.assertTrue(ok1 && ok2 && !abi.decode(ret, (bool)), "off-curve C: false without revert");
        vm.assertLe(g1 - g2, g0 - g1, "a rejected point burned more gas than a valid proof");
    }
}
