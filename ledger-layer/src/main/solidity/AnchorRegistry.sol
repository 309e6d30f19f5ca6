// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title PHR Cloud anchor registry
/// @notice Checkpoints of the per-patient chains: each is ONE Merkle root (RFC 9162 hashing) over the heads of
///         every chain that changed since the previous anchor, with the size of that tree. Pseudonyms and hashes
///         only, never health data. Only registered institution accounts may anchor.
contract AnchorRegistry {
    struct Checkpoint {
        bytes32 root;
        uint64 treeSize;
        uint64 timestamp;
        address institution;
    }

    address public immutable owner;
    mapping(address => bool) public institutions;
    Checkpoint[] private checkpoints;

    event InstitutionRegistered(address indexed account, bool allowed);
    event Anchored(uint256 indexed index, bytes32 indexed root, uint64 treeSize, address indexed institution);

    error NotOwner();
    error NotInstitution();
    error EmptyTree();
    error NoSuchCheckpoint();

    constructor() {
        owner = msg.sender;
        institutions[msg.sender] = true;
        emit InstitutionRegistered(msg.sender, true);
    }

    /// @notice The owner (the network's operator) admits or removes an institution's account.
    function setInstitution(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        institutions[account] = allowed;
        emit InstitutionRegistered(account, allowed);
    }

    /// @notice Records a checkpoint; returns its index.
    function anchor(bytes32 root, uint64 treeSize) external returns (uint256 index) {
        if (!institutions[msg.sender]) revert NotInstitution();
        if (treeSize == 0) revert EmptyTree();
        index = checkpoints.length;
        checkpoints.push(Checkpoint(root, treeSize, uint64(block.timestamp), msg.sender));
        emit Anchored(index, root, treeSize, msg.sender);
    }

    function count() external view returns (uint256) {
        return checkpoints.length;
    }

    function checkpoint(uint256 index)
        external
        view
        returns (bytes32 root, uint64 treeSize, uint64 timestamp, address institution)
    {
        if (index >= checkpoints.length) revert NoSuchCheckpoint();
        Checkpoint storage c = checkpoints[index];
        return (c.root, c.treeSize, c.timestamp, c.institution);
    }
}
