// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title PHR Cloud patient registry
/// @notice Where a patient's chain lives: pseudonym (SHA-256 of the patient's public key) -> home institution
///         endpoint and the latest anchored chain head. The latest registration wins (a patient who moves is
///         re-registered by the new home). Pseudonyms and hashes only, never health data.
contract PatientRegistry {
    struct Registration {
        string endpoint;
        bytes32 head;
        uint64 height;
        address institution;
    }

    address public immutable owner;
    mapping(address => bool) public institutions;
    mapping(bytes32 => Registration) private registrations;

    event InstitutionRegistered(address indexed account, bool allowed);
    event PatientRegistered(bytes32 indexed pseudonym, string endpoint, bytes32 head, uint64 height, address indexed institution);

    error NotOwner();
    error NotInstitution();
    error NotRegistered();

    constructor() {
        owner = msg.sender;
        institutions[msg.sender] = true;
        emit InstitutionRegistered(msg.sender, true);
    }

    function setInstitution(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        institutions[account] = allowed;
        emit InstitutionRegistered(account, allowed);
    }

    /// @notice Registers (or moves) a patient's chain and its latest anchored head.
    function register(bytes32 pseudonym, string calldata endpoint, bytes32 head, uint64 height) external {
        if (!institutions[msg.sender]) revert NotInstitution();
        registrations[pseudonym] = Registration(endpoint, head, height, msg.sender);
        emit PatientRegistered(pseudonym, endpoint, head, height, msg.sender);
    }

    function lookup(bytes32 pseudonym)
        external
        view
        returns (string memory endpoint, bytes32 head, uint64 height, address institution)
    {
        Registration storage r = registrations[pseudonym];
        if (r.institution == address(0)) revert NotRegistered();
        return (r.endpoint, r.head, r.height, r.institution);
    }
}
