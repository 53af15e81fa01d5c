/** The screens of the app: path, navigation label, and who may see them. */
import type { ComponentType } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { AdminScreen } from '../screens/admin/index.tsx';
import { CitizenPortal } from '../screens/citizen-portal.tsx';
import { CommandCenter } from '../screens/command-center.tsx';
import { GridWorkerView } from '../screens/grid-worker.tsx';
import { LeaderDashboard } from '../screens/leader-dashboard.tsx';
import { PublicBoard } from '../screens/public-board.tsx';
import { DepartmentWorkspace, DispatchWorkspace, SupervisionWorkspace } from '../screens/workspaces.tsx';

export interface Gate {
  can(permission: string): boolean;
  hasRole(...roles: string[]): boolean;
}

export interface Screen {
  path: string;
  label: MessageKey;
  component: ComponentType;
  /** Public screens need no sign-in. */
  public?: boolean;
  allowed(gate: Gate): boolean;
  /** Full-bleed layout (the command center's map). */
  fullscreen?: boolean;
}

export const SCREENS: readonly Screen[] = [
  {
    path: '/command',
    label: 'nav.command',
    component: CommandCenter,
    fullscreen: true,
    allowed: (g) => g.can('case.read') && g.can('indicator.read'),
  },
  {
    path: '/supervision',
    label: 'nav.supervision',
    component: SupervisionWorkspace,
    allowed: (g) => g.can('case.file'),
  },
  {
    path: '/dispatch',
    label: 'nav.dispatch',
    component: DispatchWorkspace,
    allowed: (g) => g.can('case.dispatch') || g.can('case.whistle'),
  },
  {
    path: '/department',
    label: 'nav.department',
    component: DepartmentWorkspace,
    allowed: (g) => g.can('case.handle'),
  },
  { path: '/grid', label: 'nav.grid', component: GridWorkerView, allowed: (g) => g.hasRole('grid_worker') },
  {
    path: '/leader',
    label: 'nav.leader',
    component: LeaderDashboard,
    allowed: (g) => g.can('indicator.read'),
  },
  {
    path: '/admin',
    label: 'nav.admin',
    component: AdminScreen,
    allowed: (g) => g.can('org.write') || g.can('user.manage') || g.can('audit.read'),
  },
  { path: '/citizen', label: 'nav.citizen', component: CitizenPortal, public: true, allowed: () => true },
  { path: '/board', label: 'nav.board', component: PublicBoard, public: true, allowed: () => true },
];
