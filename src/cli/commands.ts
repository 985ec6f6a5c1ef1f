// Every command of the CLI, in the order help lists them.
import { DiffCommand } from './diff.js';
import { DoctorCommand } from './doctor.js';
import { EnvAddCommand } from './env/add.js';
import { EnvDelCommand } from './env/del.js';
import { EnvListCommand } from './env/list.js';
import { EnvRenameCommand } from './env/rename.js';
import { ExportCommand } from './export.js';
import { GetCommand } from './get.js';
import { HooksInstallCommand } from './hooks/install.js';
import { HooksStatusCommand } from './hooks/status.js';
import { HooksUninstallCommand } from './hooks/uninstall.js';
import { ImportCommand } from './import.js';
import { InitCommand } from './init.js';
import { JoinCommand } from './join.js';
import { MemberAddMachineCommand } from './member/add-machine.js';
import { MemberApproveCommand } from './member/approve.js';
import { MemberListCommand } from './member/list.js';
import { MemberRemoveCommand } from './member/remove.js';
import { ResolveCommand } from './resolve.js';
import { RotateCommand } from './rotate.js';
import { RunCommand } from './run.js';
import { SetCommand } from './set.js';
import { StatusCommand } from './status.js';
import { SyncCommand } from './sync.js';
import { UnsetCommand } from './unset.js';
import { VerifyCommand } from './verify.js';

export const commands = [
  InitCommand,
  SetCommand,
  GetCommand,
  UnsetCommand,
  RunCommand,
  ImportCommand,
  ExportCommand,
  SyncCommand,
  StatusCommand,
  EnvAddCommand,
  EnvRenameCommand,
  EnvDelCommand,
  EnvListCommand,
  JoinCommand,
  MemberListCommand,
  MemberApproveCommand,
  MemberAddMachineCommand,
  MemberRemoveCommand,
  RotateCommand,
  HooksInstallCommand,
  HooksUninstallCommand,
  HooksStatusCommand,
  ResolveCommand,
  DoctorCommand,
  VerifyCommand,
  DiffCommand,
];
