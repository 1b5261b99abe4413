// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RegistryBase} from "./RegistryBase.sol";
import {YieldAttestationRegistry} from "contracts/YieldAttestationRegistry.sol";

interface IPoseidon4 {
    function poseidon(uint256[4] calldata input) external pure returns (uint256);
}

/// @notice Snapshot chains (docs/history.md): per owner, h_0 = owner, h_i = Poseidon(LINK_TAG, h_(i-1), c_i,
/// block time); indices count 1, 2, 3, ..., each head records its owner and commit time, and owners' chains
/// never mix.
contract SnapshotChainTest is RegistryBase {
    function testFuzz_chainLinksIndicesAndTimes(uint256[8] memory commitments, uint32[8] memory gaps) public {
        uint256 expected = uint160(ALICE);
        vm.assertEq(registry.snapshotHead(ALICE), expected, "h_0 is the owner");
        vm.assertEq(registry.snapshotCount(ALICE), 0, "no snapshot yet");
        uint256[8] memory heads;
        uint256 t = block.timestamp;
        for (uint256 i = 0; i < 8; i++) {
            uint256 c = commitments[i] % R;
            t += gaps[i];
            vm.warp(t);
            vm.prank(ALICE);
            uint256 head = registry.commitSnapshot(c);
            expected = IPoseidon4(hasher).poseidon([registry.LINK_TAG(), expected, c, t]);
            vm.assertEq(head, expected, "head is not Poseidon(LINK_TAG, previous head, c, block time)");
            vm.assertEq(registry.snapshotHead(ALICE), head, "current head");
            vm.assertEq(registry.snapshotCount(ALICE), i + 1, "count");
            heads[i] = head;
        }
        for (uint256 i = 0; i < 8; i++) {
            YieldAttestationRegistry.SnapshotHead memory info = registry.snapshotHeadInfo(heads[i]);
            vm.assertEq(info.owner, ALICE, "owner");
            vm.assertEq(info.index, i + 1, "1-based index of every earlier head stays put");
            if (i > 0) {
                vm.assertGe(info.committedAt, registry.snapshotHeadInfo(heads[i - 1]).committedAt, "commit time");
            }
        }
        vm.assertEq(registry.snapshotCount(BOB), 0, "another owner's chain is untouched");
        vm.assertEq(registry.snapshotHead(BOB), uint160(BOB), "bob's h_0");
    }

    /// The same commitment at the same time starts from each owner's own h_0, so heads differ per owner.
    function testFuzz_ownersChainsSeparate(uint256 c) public {
        c = c % R;
        vm.prank(ALICE);
        uint256 a = registry.commitSnapshot(c);
        vm.prank(BOB);
        uint256 b = registry.commitSnapshot(c);
        vm.assertTrue(a != b, "two owners got the same head");
        vm.assertEq(registry.snapshotHeadInfo(a).owner, ALICE, "alice's head");
        vm.assertEq(registry.snapshotHeadInfo(b).owner, BOB, "bob's head");
        vm.assertEq(registry.snapshotCount(ALICE), 1, "alice count");
        vm.assertEq(registry.snapshotCount(BOB), 1, "bob count");
    }

    function testFuzz_commitmentNotAFieldElementRefused(uint256 c) public {
        c = R + (c % (type(uint256).max - R + 1));
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NotAFieldElement.selector, c));
        registry.commitSnapshot(c);
    }

    function testFuzz_unknownHeadInfoReverts(uint256 head) public {
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.UnknownHead.selector, head));
        registry.snapshotHeadInfo(head);
    }
}
