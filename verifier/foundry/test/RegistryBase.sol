// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Base, Proof} from "./Base.sol";
import {Groth16Verifier} from "./fixtures/Groth16Verifier.sol";
import {Poseidon4Code} from "./fixtures/Poseidon4.sol";
import {YieldAttestationRegistry} from "contracts/YieldAttestationRegistry.sol";

/// @notice A registry wired as in production: zkyield's generated verifier for the fixture key (both
/// families), circomlibjs's Poseidon(4) as snapshot hasher, and the fixture proofs' markets registered.
abstract contract RegistryBase is Base {
    address internal constant ORACLE = address(0x0AC1E);
    YieldAttestationRegistry internal registry;
    Groth16Verifier internal verifier;
    address internal hasher;

    function setUp() public virtual {
        registry = new YieldAttestationRegistry(ORACLE);
        verifier = new Groth16Verifier();
        hasher = deployCode(Poseidon4Code.CREATION);
        registry.setSnapshotHasher(hasher);
        registry.registerPolicy(POLICY_PORTFOLIO, address(verifier), 1);
        registry.registerPolicy(POLICY_HISTORY, address(verifier), 2);
        vm.startPrank(ORACLE);
        registry.registerMarket(MARKET_1, 1000, 2000);
        registry.registerMarket(MARKET_2, 2000, 3000);
        registry.registerMarket(MARKET_H, 1000, 4000);
        vm.stopPrank();
        vm.warp(SNAPSHOT_TIME);
    }

    function submit(address sender, Proof memory p) internal returns (uint256) {
        vm.prank(sender);
        return registry.submitAttestation(p.a, p.b, p.c, p.pub);
    }

    function submitHistory(address sender, Proof memory p) internal returns (uint256) {
        vm.prank(sender);
        return registry.submitHistoryAttestation(p.a, p.b, p.c, p.pub);
    }

    function inputsHash(Proof memory p) internal pure returns (bytes32) {
        return keccak256(abi.encode(p.pub));
    }
}
