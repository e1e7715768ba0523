# Builds the Windows installer on a Windows machine (a CI runner or a build PC), from a clean
# clone, in the repository's folder:
#
#   pwsh -File installers\windows\build.ps1 [-Release]
#
# 1. a fresh venv in build\windows\venv with the app and PyInstaller;
# 2. the app frozen with the same spec as on Linux (installers\onestop.spec), one folder;
# 3. a smoke run of the frozen program (its self-check: modules load, the Windows keychain);
# 4. with -Release: the app's programs signed (Authenticode) before they go into the MSI;
# 5. the MSI: WiX source from python -m installers.windows, built with WiX 3 (candle, light);
# 6. with -Release: the MSI signed, then both signatures verified against Windows' trust store.
#
# A release is never unsigned and never signed with a throwaway certificate: without the
# certificate (the CI secret WINDOWS_SIGNING_PFX_BASE64 and its password
# WINDOWS_SIGNING_PFX_PASSWORD) or with one that is self-signed, not for code signing or out of
# date, -Release stops with an error before anything is signed. Test builds (no -Release) are
# unsigned and say so in their file name.
#
# Install it unattended, for every user of the machine:
#   msiexec /i OneStop-MSK-<version>.msi /qn ALLUSERS=1 [INSTALLDIR="D:\Apps\OneStop MSK"]
# Remove it (clinic data in each user's %LOCALAPPDATA%\OneStop MSK stays):
#   msiexec /x OneStop-MSK-<version>.msi /qn

#Requires -Version 7.2
[CmdletBinding()]
param(
    [switch] $Release,
    # An RFC 3161 timestamp server: the signature then outlives the certificate.
    [string] $TimestampUrl = "http://timestamp.digicert.com",
    # The Python that makes the venv (3.11, as the app is tested with).
    [string] $Python = "python"
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
$Build = Join-Path $Root "build\windows"
$Venv = Join-Path $Build "venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $Build "dist"
$Bundle = Join-Path $Dist "onestop"
$Icon = Join-Path $Build "onestop.ico"
$IconSvg = Join-Path $Root "installers\debian\onestop-msk.svg"

function Invoke-Step {
    # Runs a program and stops the build when it fails (PowerShell does not, by itself).
    param([string] $Program, [string[]] $Arguments)
    Write-Host "==> $Program $($Arguments -join ' ')"
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$Program failed with exit code $LASTEXITCODE"
    }
}

function Find-SignTool {
    $kits = Join-Path ${env:ProgramFiles(x86)} "Windows Kits\10\bin"
    $found = Get-ChildItem -Path $kits -Filter signtool.exe -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -match "\\x64\\" } |
        Sort-Object FullName -Descending |
        Select-Object -First 1
    if (-not $found) { throw "signtool.exe not found: install the Windows 10/11 SDK" }
    return $found.FullName
}

function Find-WixTool {
    param([string] $Name)
    $folders = @()
    if ($env:WIX) { $folders += Join-Path $env:WIX "bin" }
    $folders += Join-Path ${env:ProgramFiles(x86)} "WiX Toolset v3.14\bin"
    foreach ($folder in $folders) {
        $candidate = Join-Path $folder "$Name.exe"
        if (Test-Path $candidate) { return $candidate }
    }
    throw "$Name.exe not found: install WiX Toolset 3.14 (choco install wixtoolset --version 3.14.1)"
}

function Invoke-Signing {
    # Signs files with the release certificate, decoded from the CI secret into a file only
    # this job can read, deleted however signing ends.
    param([string[]] $Files)
    $pfx = Join-Path ([System.IO.Path]::GetTempPath()) ("onestop-" + [guid]::NewGuid() + ".pfx")
    try {
        [System.IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_SIGNING_PFX_BASE64))
        $signtool = Find-SignTool
        # When the trust keeps its key in a cloud HSM (e.g. Azure Trusted Signing), replace
        # /f and /p with that service's /dlib and /dmdf; the rest of the line stays.
        Invoke-Step $signtool (@("sign", "/fd", "sha256", "/tr", $TimestampUrl, "/td", "sha256",
            "/d", "OneStop MSK", "/f", $pfx, "/p", $env:WINDOWS_SIGNING_PFX_PASSWORD) + $Files)
        # /pa: the default Authenticode policy, so the chain must reach a root Windows trusts.
        Invoke-Step $signtool (@("verify", "/pa", "/all", "/tw") + $Files)
    }
    finally {
        Remove-Item -Force -ErrorAction SilentlyContinue $pfx
    }
}

Set-Location $Root
New-Item -ItemType Directory -Force -Path $Build | Out-Null

Write-Host "==> a fresh venv in $Venv"
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Invoke-Step $Python @("-m", "venv", $Venv)
Invoke-Step $VenvPython @("-m", "pip", "install", "--upgrade", "pip")
Invoke-Step $VenvPython @("-m", "pip", "install", $Root, "pyinstaller>=6.22,<7")

if ($Release) {
    # Before the long part: no certificate, or one that must not sign a release, stops the
    # release here (the check is tested on Linux, in tests/packaging).
    Invoke-Step $VenvPython @("-m", "installers.windows", "check-release-certificate")
}

Invoke-Step $VenvPython @("-m", "installers.icons", $IconSvg, "--ico", $Icon)

if (Test-Path $Dist) { Remove-Item -Recurse -Force $Dist }
# The spec gives onestop.exe this icon when it reads ONESTOP_ICON.
$env:ONESTOP_ICON = $Icon
Invoke-Step $VenvPython @("-m", "PyInstaller", "--noconfirm", "--distpath", $Dist,
    "--workpath", (Join-Path $Build "work"), (Join-Path $Root "installers\onestop.spec"))

$Program = Join-Path $Bundle "onestop.exe"
$env:QT_QPA_PLATFORM = "offscreen"
# Qt may write warnings to stderr; they are shown, not taken for a failure (the exit code is).
$ErrorActionPreference = "Continue"
$selfCheck = & $Program self-check 2>&1 | Out-String
$checked = $LASTEXITCODE
$ErrorActionPreference = "Stop"
Write-Host $selfCheck
if ($checked -ne 0 -or $selfCheck -notmatch "keyring\.backends\.Windows") {
    throw "the frozen app's self-check failed, or it did not find the Windows keychain"
}
Remove-Item Env:\QT_QPA_PLATFORM

# The Start menu opens the windowed program when the spec makes one (no console window
# behind the app); onestop.exe, the console program, serves IT's command-line use.
$Shortcut = "onestop.exe"
if (Test-Path (Join-Path $Bundle "onestop-window.exe")) { $Shortcut = "onestop-window.exe" }
$Programs = @(Get-ChildItem -Path $Bundle -Filter "onestop*.exe" | ForEach-Object { $_.FullName })

if ($Release) {
    Invoke-Signing $Programs
}

$Version = (& $VenvPython -m installers.windows version).Trim()
if ($LASTEXITCODE -ne 0) { throw "no version for the installer" }
$Stem = "OneStop-MSK-$Version"
$Wxs = Join-Path $Build "$Stem.wxs"
Invoke-Step $VenvPython @("-m", "installers.windows", "wxs", $Bundle, "--out", $Wxs,
    "--icon", $Icon, "--program", $Shortcut)

$Objects = Join-Path $Build "obj"
New-Item -ItemType Directory -Force -Path $Objects | Out-Null
Invoke-Step (Find-WixTool "candle") @("-nologo", "-arch", "x64", "-out", "$Objects\", $Wxs)
$Msi = Join-Path $Build $(if ($Release) { "$Stem.msi" } else { "$Stem-unsigned.msi" })
# -b: the source paths in the .wxs are relative to the bundle.
Invoke-Step (Find-WixTool "light") @("-nologo", "-b", $Bundle, "-out", $Msi,
    (Join-Path $Objects "$Stem.wixobj"))

if ($Release) {
    Invoke-Signing @($Msi)
}

$Hash = (Get-FileHash -Algorithm SHA256 $Msi).Hash.ToLower()
Set-Content -Encoding ascii -Path "$Msi.sha256" -Value "$Hash  $(Split-Path -Leaf $Msi)"
Write-Host "==> built $Msi"
