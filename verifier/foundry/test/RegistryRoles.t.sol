// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RegistryBase} from "./RegistryBase.sol";
import {Groth16Verifier} from "./fixtures/Groth16Verifier.sol";
import {YieldAttestationRegistry} from "contracts/YieldAttestationRegistry.sol";

/// @notice Admin and oracle roles, and the registration rules (immutable policies, families, periods).
contract RegistryRolesTest is RegistryBase {
    function testFuzz_nonAdminRefused(address caller) public {
        vm.assume(caller != address(this));
        bytes memory notAdmin = abi.encodeWithSelector(YieldAttestationRegistry.NotAdmin.selector, caller);
        vm.startPrank(caller);
        vm.expectRevert(notAdmin);
        registry.setAdmin(caller);
        vm.expectRevert(notAdmin);
        registry.setOracle(caller);
        vm.expectRevert(notAdmin);
        registry.registerPolicy(7, address(verifier), 1);
        vm.expectRevert(notAdmin);
        registry.setSnapshotHasher(hasher);
        vm.stopPrank();
        vm.assertEq(registry.admin(), address(this), "admin unchanged");
    }

    function testFuzz_nonOracleRefused(address caller) public {
        vm.assume(caller != ORACLE);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NotOracle.selector, caller));
        registry.registerMarket(7, 1, 2);
    }

    /// The admin is not the oracle: registering markets is the oracle's alone, even for the admin.
    function test_adminIsNotOracle() public {
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NotOracle.selector, address(this)));
        registry.registerMarket(7, 1, 2);
    }

    function testFuzz_adminHandover(address newAdmin) public {
        vm.assume(newAdmin != address(0) && newAdmin != address(this));
        registry.setAdmin(newAdmin);
        vm.assertEq(registry.admin(), newAdmin, "admin");
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NotAdmin.selector, address(this)));
        registry.setOracle(newAdmin);
        vm.prank(newAdmin);
        registry.setOracle(newAdmin);
        vm.assertEq(registry.oracle(), newAdmin, "oracle");
        vm.prank(newAdmin);
        registry.registerMarket(7, 1, 2);
        vm.prank(ORACLE);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.NotOracle.selector, ORACLE));
        registry.registerMarket(8, 1, 2);
    }

    function test_zeroAddressesRefused() public {
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.ZeroAddress.selector, "admin"));
        registry.setAdmin(address(0));
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.ZeroAddress.selector, "oracle"));
        registry.setOracle(address(0));
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.ZeroAddress.selector, "verifier"));
        registry.registerPolicy(7, address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.ZeroAddress.selector, "oracle"));
        new YieldAttestationRegistry(address(0));
    }

    function testFuzz_invalidFamilyRefused(uint8 family) public {
        vm.assume(family != 1 && family != 2);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.InvalidFamily.selector, family));
        registry.registerPolicy(7, address(verifier), family);
    }

    /// A policy never changes once set: not its verifier, not its family.
    function testFuzz_policyImmutable(uint8 family) public {
        family = family % 2 + 1;
        address other = address(new Groth16Verifier());
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.PolicyAlreadyRegistered.selector, POLICY_PORTFOLIO));
        registry.registerPolicy(POLICY_PORTFOLIO, other, family);
        (address v, uint8 f) = registry.policy(POLICY_PORTFOLIO);
        vm.assertEq(v, address(verifier), "verifier");
        vm.assertEq(f, 1, "family");
    }

    function testFuzz_verifierWithoutCodeRefused(address eoa) public {
        vm.assume(eoa != address(0) && eoa.code.length == 0);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.VerifierHasNoCode.selector, eoa));
        registry.registerPolicy(7, eoa, 1);
    }

    function testFuzz_marketRules(uint256 marketHash, uint64 start, uint64 end) public {
        vm.assume(marketHash != MARKET_1 && marketHash != MARKET_2 && marketHash != MARKET_H);
        vm.startPrank(ORACLE);
        if (start > end) {
            vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.InvalidPeriod.selector, start, end));
            registry.registerMarket(marketHash, start, end);
            return;
        }
        registry.registerMarket(marketHash, start, end);
        (uint64 s, uint64 e) = registry.market(marketHash);
        vm.assertEq(s, start, "start");
        vm.assertEq(e, end, "end");
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.MarketAlreadyRegistered.selector, marketHash));
        registry.registerMarket(marketHash, start, end);
        vm.stopPrank();
    }

    function test_snapshotHasherSetOnce() public {
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.SnapshotHasherAlreadySet.selector, hasher));
        registry.setSnapshotHasher(address(verifier));
        YieldAttestationRegistry fresh = new YieldAttestationRegistry(ORACLE);
        vm.expectRevert(YieldAttestationRegistry.NoSnapshotHasher.selector);
        fresh.commitSnapshot(1);
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.ZeroAddress.selector, "hasher"));
        fresh.setSnapshotHasher(address(0));
        vm.expectRevert(abi.encodeWithSelector(YieldAttestationRegistry.VerifierHasNoCode.selector, address(0xdead)));
        fresh.setSnapshotHasher(address(0xdead));
    }
}
