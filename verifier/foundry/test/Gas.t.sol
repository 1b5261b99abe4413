// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Proof} from "./Base.sol";
import {Proofs} from "./fixtures/Proofs.sol";
import {RegistryBase} from "./RegistryBase.sol";

/// @notice One operation per test, so each line of .gas-snapshot is the gas of that operation (plus the
/// test's own call overhead): a change to the contracts' gas shows up in `forge snapshot --check`.
contract GasTest is RegistryBase {
    function test_gas_verifyProof() public view {
        Proof memory p = Proofs.alice1();
        vm.assertTrue(verifier.verifyProof(p.a, p.b, p.c, p.pub), "valid");
    }

    function test_gas_submitAttestation() public {
        Proof memory p = Proofs.alice1();
        vm.prank(ALICE);
        registry.submitAttestation(p.a, p.b, p.c, p.pub);
    }

    function test_gas_commitSnapshot() public {
        vm.prank(ALICE);
        registry.commitSnapshot(SNAPSHOT_C);
    }

    function test_gas_submitHistoryAttestation() public {
        vm.prank(ALICE);
        registry.commitSnapshot(SNAPSHOT_C);
        Proof memory h = Proofs.aliceHistory();
        vm.prank(ALICE);
        registry.submitHistoryAttestation(h.a, h.b, h.c, h.pub);
    }
}
