// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Proof} from "./Base.sol";
import {Proofs} from "./fixtures/Proofs.sol";
import {RegistryBase} from "./RegistryBase.sol";
import {YieldAttestationRegistry} from "contracts/YieldAttestationRegistry.sol";

/// @notice Submission rules of YieldAttestationRegistry with real proofs (docs/onchain.md, "The registry"):
/// owner binding, replay protection, family separation, PeriodNotOver, period checks, "latest" indexes.
/// Checks that revert before the verifier runs are fuzzed with arbitrary proof words.
contract RegistrySubmissionTest is RegistryBase {
    function test_portfolioProofIsRecorded() public {
        Proof memory p = Proofs.alice1();
        uint256 id = submit(ALICE, p);
        vm.assertEq(id, 1, "first id");
        YieldAttestationRegistry.AttestationView memory v = registry.attestation(id);
        vm.assertEq(v.commitment, p.pub[0], "commitment");
        vm.assertEq(v.policyHash, POLICY_PORTFOLIO, "policy");
        vm.assertEq(v.marketHash, MARKET_1, "market");
        vm.assertEq(v.periodStart, 1000, "start");
        vm.assertEq(v.periodEnd, 2000, "end");
        vm.assertEq(v.submitter, ALICE, "submitter");
        vm.assertEq(v.timestamp, SNAPSHOT_TIME, "timestamp");
        vm.assertEq(v.family, 1, "family");
        vm.assertTrue(registry.inputsUsed(inputsHash(p)), "inputs marked used");
        vm.assertTrue(registry.hasAttestation(p.pub[0]), "hasAttestation");
        vm.assertEq(registry.latestAttestation(p.pub[0]).id, 1, "latest");
        vm.assertEq(registry.attestationCount(), 1, "count");
    }

    function test_replayRefused() public {
        Proof memory p = Proofs.alice1();
        submit(ALICE, p);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.AlreadyAttested.selector, inputsHash(p)));
        submit(ALICE, p);
    }

    /// A second valid proof of the same statement (fresh prover randomness) is still a replay.
    function test_freshProofOfSameStatementRefused() public {
        Proof memory p = Proofs.alice1();
        Proof memory again = Proofs.alice1b();
        vm.assertTrue(again.a[0] != p.a[0], "fixtures must be two different proofs");
        vm.assertTrue(verifier.verifyProof(again.a, again.b, again.c, again.pub), "the second proof is valid");
        submit(ALICE, p);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.AlreadyAttested.selector, inputsHash(p)));
        submit(ALICE, again);
    }

    /// Once the inputs are used, any proof words at all hit the replay guard before the verifier.
    function testFuzz_replayWithAnyProofBytesRefused(uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c)
        public
    {
        Proof memory p = Proofs.alice1();
        submit(ALICE, p);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.AlreadyAttested.selector, inputsHash(p)));
        registry.submitAttestation(a, b, c, p.pub);
    }

    /// A front-runner copying the owner's calldata cannot claim the proof.
    function testFuzz_onlyOwnerMaySubmit(address sender) public {
        vm.assume(sender != ALICE);
        Proof memory p = Proofs.alice1();
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.SenderNotOwner.selector, sender, ALICE));
        submit(sender, p);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.SenderNotOwner.selector, sender, ALICE));
        vm.prank(sender);
        registry.submitHistoryAttestation(p.a, p.b, p.c, Proofs.aliceHistory().pub);
        vm.assertEq(submit(ALICE, p), 1, "the owner still can");
    }

    /// An owner word >= 2^160 is refused, not truncated to an address.
    function testFuzz_ownerWiderThanAnAddressRefused(uint256 high) public {
        Proof memory p = Proofs.alice1();
        high = bound(high, 1, type(uint96).max);
        p.pub[1] = (high << 160) | uint160(ALICE);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.OwnerNotAnAddress.selector, p.pub[1]));
        submit(ALICE, p);
    }

    /// Family separation: a history proof through the portfolio path (it would skip every chain check) and a
    /// portfolio proof through the history path are both refused, naming both families.
    function test_historyProofThroughPortfolioPathRefused() public {
        vm.prank(ALICE);
        registry.commitSnapshot(SNAPSHOT_C);
        Proof memory h = Proofs.aliceHistory();
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.WrongFamily.selector, POLICY_HISTORY, 2, 1));
        submit(ALICE, h);
    }

    function test_portfolioProofThroughHistoryPathRefused() public {
        Proof memory p = Proofs.alice1();
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.WrongFamily.selector, POLICY_PORTFOLIO, 1, 2));
        submitHistory(ALICE, p);
    }

    /// A statement about a period still running is refused until the market's period end.
    function testFuzz_periodNotOverRefused(uint256 t) public {
        t = bound(t, 0, 1999);
        vm.warp(t);
        Proof memory p = Proofs.alice1();
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.PeriodNotOver.selector, 2000, t));
        submit(ALICE, p);
        vm.warp(2000);
        vm.assertEq(submit(ALICE, p), 1, "accepted at the period end");
    }

    function testFuzz_periodMismatchRefused(uint64 start, uint64 end) public {
        vm.assume(start != 1000 || end != 2000);
        Proof memory p = Proofs.alice1();
        p.pub[4] = start;
        p.pub[5] = end;
        vm.expectRevert(
            abi.encodeWithSelector(YieldAttestationRegistry.PeriodMismatch.selector, 1000, 2000, start, end)
        );
        submit(ALICE, p);
    }

    function testFuzz_unknownPolicyAndMarketRefused(uint256 policyHash, uint256 marketHash) public {
        vm.assume(policyHash != POLICY_PORTFOLIO && policyHash != POLICY_HISTORY);
        vm.assume(marketHash != MARKET_1 && marketHash != MARKET_2 && marketHash != MARKET_H);
        Proof memory p = Proofs.alice1();
        p.pub[2] = policyHash;
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.UnknownPolicy.selector, policyHash));
        submit(ALICE, p);
        p.pub[2] = POLICY_PORTFOLIO;
        p.pub[3] = marketHash;
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.UnknownMarket.selector, marketHash));
        submit(ALICE, p);
    }

    /// Everything checks out except the proof: the verifier's false becomes InvalidProof, nothing is stored.
    function testFuzz_invalidProofRefused(uint256 commitment) public {
        Proof memory p = Proofs.alice1();
        commitment = bound(commitment, 0, R - 1);
        vm.assume(commitment != p.pub[0]);
        p.pub[0] = commitment;
        vm.expectRevert(YieldAttestationRegistry.InvalidProof.selector);
        submit(ALICE, p);
        vm.assertFalse(registry.inputsUsed(inputsHash(p)), "a refused proof must not burn its inputs");
        vm.assertEq(registry.attestationCount(), 0, "nothing stored");
    }

    /// "Latest" is the newest period end: re-submitting an older period cannot hide a newer one.
    function test_latestIsNewestPeriodEnd() public {
        uint256 newer = submit(ALICE, Proofs.alice2());
        uint256 older = submit(ALICE, Proofs.alice1());
        vm.assertEq(older, newer + 1, "ids");
        vm.assertEq(registry.latestAttestation(111).id, newer, "latest hid the newer period");
        vm.assertEq(registry.latestAttestationForPolicy(111, POLICY_PORTFOLIO).id, newer, "latest for policy");
        vm.assertEq(submit(BOB, Proofs.bob1()), 3, "bob");
        vm.assertEq(registry.latestAttestation(222).submitter, BOB, "bob's commitment");
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NoAttestation.selector, 333));
        registry.latestAttestation(333);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.UnknownAttestation.selector, 4));
        registry.attestation(4);
    }

    // --- history path ----------------------------------------------------------------------------------

    /// The registry's chain head (circomlibjs's Poseidon(4) on-chain) equals the one zkyield computed off-chain
    /// for the fixture proof, and the history proof is accepted for the head its owner committed.
    function test_historyProofForCommittedHead() public {
        vm.prank(ALICE);
        uint256 head = registry.commitSnapshot(SNAPSHOT_C);
        Proof memory h = Proofs.aliceHistory();
        vm.assertEq(head, h.pub[0], "on-chain head differs from zkyield's Poseidon chain head");
        uint256 id = submitHistory(ALICE, h);
        vm.assertEq(registry.attestation(id).family, 2, "family");
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.AlreadyAttested.selector, inputsHash(h)));
        submitHistory(ALICE, h);
    }

    function test_historyProofForUncommittedHeadRefused() public {
        Proof memory h = Proofs.aliceHistory();
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.UnknownHead.selector, h.pub[0]));
        submitHistory(ALICE, h);
    }

    /// Bob cannot prove over Alice's committed chain.
    function test_historyHeadOfAnotherOwnerRefused() public {
        vm.prank(ALICE);
        uint256 head = registry.commitSnapshot(SNAPSHOT_C);
        Proof memory h = Proofs.aliceHistory();
        h.pub[1] = uint160(BOB);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.HeadNotOwned.selector, head, ALICE, BOB));
        submitHistory(BOB, h);
    }

    /// A head committed before the window's end cannot carry the window's last snapshot as it happened.
    function test_historyHeadCommittedBeforeWindowEndRefused() public {
        vm.warp(3999);
        vm.prank(ALICE);
        uint256 head = registry.commitSnapshot(SNAPSHOT_C);
        vm.warp(SNAPSHOT_TIME);
        Proof memory h = Proofs.aliceHistory();
        h.pub[0] = head;
        vm.expectRevert(
            abi.encodeWithSelector(YieldAttestationRegistry.HeadCommittedBeforePeriodEnd.selector, head, 3999, 4000)
        );
        submitHistory(ALICE, h);
    }

    function testFuzz_historyWindowOutsideMarketRefused(uint64 start, uint64 end) public {
        vm.assume(start < 1000 || end > 4000 || start > end);
        vm.prank(ALICE);
        registry.commitSnapshot(SNAPSHOT_C);
        Proof memory h = Proofs.aliceHistory();
        h.pub[4] = start;
        h.pub[5] = end;
        vm.expectRevert(
            abi.encodeWithSelector(YieldAttestationRegistry.MarketDoesNotCoverPeriod.selector, 1000, 4000, start, end)
        );
        submitHistory(ALICE, h);
    }

    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }
}
