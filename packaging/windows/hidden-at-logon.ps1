<#
.SYNOPSIS
  Runs Agent Centralizer hidden (no window) when you log on to Windows, through Task Scheduler.

.DESCRIPTION
  Registers a per-user scheduled task "Agent Centralizer (hidden)" that starts the app with
  --headless at logon: the hub runs for agents and the console is served on 127.0.0.1 (open it in a
  browser, or launch the app normally to get its window over the running hub). No administrator
  rights needed. Walkthrough: docs/deployment.md, "Windows: hidden at logon".

  Install:    powershell -ExecutionPolicy Bypass -File hidden-at-logon.ps1
  Start now:  powershell -ExecutionPolicy Bypass -File hidden-at-logon.ps1 -Start
  Stop:       powershell -ExecutionPolicy Bypass -File hidden-at-logon.ps1 -Stop
  Uninstall:  powershell -ExecutionPolicy Bypass -File hidden-at-logon.ps1 -Uninstall

.PARAMETER ExePath
  The app's executable. Default: the per-user install (%LOCALAPPDATA%\Programs\Agent Centralizer),
  else the per-machine one (%ProgramFiles%\Agent Centralizer). A portable .exe works too (its .env
  is read from the folder it sits in).
#>
[CmdletBinding(DefaultParameterSetName = 'Install')]
param(
  [Parameter(ParameterSetName = 'Install')][string]$ExePath,
  [Parameter(ParameterSetName = 'Start', Mandatory)][switch]$Start,
  [Parameter(ParameterSetName = 'Stop', Mandatory)][switch]$Stop,
  [Parameter(ParameterSetName = 'Uninstall', Mandatory)][switch]$Uninstall
)
$ErrorActionPreference = 'Stop'
$TaskName = 'Agent Centralizer (hidden)'

function Find-App {
  foreach ($candidate in @(
      (Join-Path $env:LOCALAPPDATA 'Programs\Agent Centralizer\Agent Centralizer.exe'),
      (Join-Path $env:ProgramFiles 'Agent Centralizer\Agent Centralizer.exe'))) {
    if (Test-Path -LiteralPath $candidate) { return $candidate }
  }
  throw 'Agent Centralizer.exe not found: install the app first, or pass -ExePath.'
}

switch ($PSCmdlet.ParameterSetName) {
  'Start' { Start-ScheduledTask -TaskName $TaskName; Write-Host "Started '$TaskName'."; return }
  'Stop' {
    # The running instance gets the request through the single-instance lock and stops its hub in order.
    $task = Get-ScheduledTask -TaskName $TaskName
    $exe = $task.Actions[0].Execute
    Start-Process -FilePath $exe -ArgumentList '--quit' -Wait
    Write-Host "Asked the running hub to stop."
    return
  }
  'Uninstall' {
    if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
      Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
      Write-Host "Removed '$TaskName' (a hub still running keeps running until you stop it or log off)."
    } else {
      Write-Host "'$TaskName' is not registered."
    }
    return
  }
}

if (-not $ExePath) { $ExePath = Find-App }
if (-not (Test-Path -LiteralPath $ExePath)) { throw "Not found: $ExePath" }
$ExePath = (Resolve-Path -LiteralPath $ExePath).Path
$user = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name

$action = New-ScheduledTaskAction -Execute $ExePath -Argument '--headless' `
  -WorkingDirectory (Split-Path -Parent $ExePath)
$trigger = New-ScheduledTaskTrigger -AtLogOn -User $user
# Interactive, limited rights, only while this user is logged on; restart if it dies; no time limit.
$principal = New-ScheduledTaskPrincipal -UserId $user -LogonType Interactive -RunLevel Limited
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
  -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1) `
  -MultipleInstances IgnoreNew -Hidden
Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Principal $principal `
  -Settings $settings -Description 'Agent Centralizer hub without a window (--headless).' -Force | Out-Null
Write-Host "Registered '$TaskName': $ExePath --headless at logon of $user."
Write-Host "Start it now with: -Start   Stop: -Stop   Remove: -Uninstall"
