// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Base, Proof} from "./Base.sol";
import {Proofs} from "./fixtures/Proofs.sol";
import {RegistryBase} from "./RegistryBase.sol";
import {YieldAttestationRegistry} from "contracts/YieldAttestationRegistry.sol";

/// @notice What the invariant fuzzer calls: random senders submitting the real fixture proofs (right or wrong
/// path, any time) and committing snapshots, with ghost counts of what must have happened.
contract RegistryHandler is Base {
    YieldAttestationRegistry internal immutable registry;
    uint256 public now_ = SNAPSHOT_TIME;
    uint256 public accepted;
    mapping(bytes32 => uint256) public acceptedFor; // inputs hash -> successful submissions
    address[3] internal actors = [ALICE, BOB, address(0xCAFE)];
    mapping(address => uint256) public commits;
    mapping(address => uint256[]) internal heads;

    constructor(YieldAttestationRegistry registry_) {
        registry = registry_;
    }

    function fixture(uint256 i) public pure returns (Proof memory) {
        i %= 5;
        if (i == 0) return Proofs.alice1();
        if (i == 1) return Proofs.alice1b();
        if (i == 2) return Proofs.alice2();
        if (i == 3) return Proofs.bob1();
        return Proofs.aliceHistory();
    }

    function headsOf(address owner) external view returns (uint256[] memory) {
        return heads[owner];
    }

    function actor(uint256 i) public view returns (address) {
        return actors[i % 3];
    }

    function advance(uint16 dt) internal {
        now_ += dt;
        vm.warp(now_);
    }

    function submit(uint256 which, uint256 sender, bool historyPath, uint16 dt) external {
        advance(dt);
        Proof memory p = fixture(which);
        bytes memory data = historyPath
            ? abi.encodeCall(registry.submitHistoryAttestation, (p.a, p.b, p.c, p.pub))
            : abi.encodeCall(registry.submitAttestation, (p.a, p.b, p.c, p.pub));
        vm.prank(actor(sender));
        (bool ok,) = address(registry).call(data);
        if (ok) {
            accepted++;
            acceptedFor[keccak256(abi.encode(p.pub))]++;
        }
    }

    function commit(uint256 who, uint256 c, uint16 dt) external {
        advance(dt);
        address owner = actor(who);
        // Alice's first snapshot is the fixture history proof's, at its time, so the history path can succeed.
        if (owner == ALICE && commits[ALICE] == 0) {
            c = SNAPSHOT_C;
            vm.warp(SNAPSHOT_TIME);
        }
        vm.prank(owner);
        uint256 head = registry.commitSnapshot(c % R);
        vm.warp(now_);
        commits[owner]++;
        heads[owner].push(head);
    }
}

/// @notice Invariants over any sequence of handler calls (runs and depth in foundry.toml).
contract RegistryInvariantTest is RegistryBase {
    RegistryHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new RegistryHandler(registry);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Each accepted submission is one stored attestation, and a statement is accepted at most once.
    function invariant_oneAttestationPerStatement() public view {
        vm.assertEq(registry.attestationCount(), handler.accepted(), "stored != accepted");
        for (uint256 i = 0; i < 5; i++) {
            bytes32 h = keccak256(abi.encode(handler.fixture(i).pub));
            uint256 n = handler.acceptedFor(h);
            vm.assertLe(n, 1, "a statement was attested twice");
            vm.assertEq(n, registry.inputsUsed(h) ? 1 : 0, "inputsUsed disagrees with what was accepted");
        }
    }

    /// Every attestation was submitted by its statement's owner, after its period ended, on its family's path.
    function invariant_attestationsBoundToOwnerFamilyAndTime() public view {
        uint256 n = registry.attestationCount();
        for (uint256 id = 1; id <= n; id++) {
            YieldAttestationRegistry.AttestationView memory v = registry.attestation(id);
            address owner = v.commitment == 222 ? BOB : ALICE;
            vm.assertEq(v.submitter, owner, "attested by someone other than the owner");
            vm.assertEq(v.family, v.policyHash == POLICY_HISTORY ? 2 : 1, "family");
            vm.assertGe(v.timestamp, v.periodEnd, "attested before its period ended");
        }
    }

    /// Per owner: the count is the number of commits, indices run 1..n, commit times never decrease,
    /// the current head is the last one committed, and every head names its owner.
    function invariant_snapshotChainsMonotone() public view {
        for (uint256 a = 0; a < 3; a++) {
            address owner = handler.actor(a);
            uint256[] memory heads = handler.headsOf(owner);
            vm.assertEq(registry.snapshotCount(owner), heads.length, "count");
            vm.assertEq(heads.length, handler.commits(owner), "ghost count");
            vm.assertEq(
                registry.snapshotHead(owner), heads.length == 0 ? uint160(owner) : heads[heads.length - 1], "head"
            );
            uint64 last;
            for (uint256 i = 0; i < heads.length; i++) {
                YieldAttestationRegistry.SnapshotHead memory info = registry.snapshotHeadInfo(heads[i]);
                vm.assertEq(info.owner, owner, "head owner");
                vm.assertEq(info.index, i + 1, "index");
                vm.assertGe(info.committedAt, last, "commit time went backwards");
                last = info.committedAt;
            }
        }
    }
}
